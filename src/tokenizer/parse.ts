import type { AddedToken } from "./added.js";
import { BpeModel, MAX_ID } from "./bpe.js";
import { TokenizerError } from "./errors.js";
import { PreTokenizer, asObject } from "./pretokenize.js";

/** What a byte-level BPE tokenizer.json says, checked and indexed. */
export interface ParsedTokenizer {
  model: BpeModel;
  pre: PreTokenizer;
  added: AddedToken[];
  /** id → token string (model vocabulary and added tokens; added tokens win, as in HF's `id_to_token`). */
  idToToken: Map<number, string>;
  /** token string → id (added tokens first, then the model vocabulary). */
  tokenToId: Map<string, number>;
  vocabSize: number;
}

/**
 * Check a tokenizer.json object and build the encoder from it. Supports what HF writes for GPT-2 / OLMo 2 style
 * byte-level BPE: no normalizer, a ByteLevel pre-tokenizer (optionally after Split), a BPE model without dropout,
 * byte fallback or subword affixes, and a ByteLevel decoder. The post-processor is ignored: `encode` adds no special
 * tokens. Everything else is an error that names the field.
 */
export function parseTokenizerJson(json: unknown, where: string): ParsedTokenizer {
  const root = asObject(json, where, "(root)");
  if (root.normalizer !== null && root.normalizer !== undefined) {
    throw new TokenizerError(where, `normalizer ${JSON.stringify(asObject(root.normalizer, where, "normalizer").type)} is not supported (expected null)`);
  }
  const decoder = asObject(root.decoder, where, "decoder");
  if (decoder.type !== "ByteLevel") throw new TokenizerError(where, `decoder.type must be "ByteLevel", got ${JSON.stringify(decoder.type)}`);
  const pre = PreTokenizer.fromJSON(root.pre_tokenizer, where);

  const model = asObject(root.model, where, "model");
  if (model.type !== "BPE") throw new TokenizerError(where, `model.type must be "BPE", got ${JSON.stringify(model.type)}`);
  if (model.dropout !== null && model.dropout !== undefined) throw new TokenizerError(where, "model.dropout must be null");
  if (model.byte_fallback === true) throw new TokenizerError(where, "model.byte_fallback is not supported");
  for (const field of ["continuing_subword_prefix", "end_of_word_suffix"]) {
    if (model[field] !== null && model[field] !== undefined && model[field] !== "") {
      throw new TokenizerError(where, `model.${field} is not supported (expected null)`);
    }
  }
  const vocab = parseVocab(model.vocab, where);
  const merges = parseMerges(model.merges, vocab, where);

  const added = parseAddedTokens(root.added_tokens, where);
  checkAddedIds(added, vocab, where);
  const idToToken = new Map<number, string>();
  for (const [token, id] of vocab) idToToken.set(id, token);
  for (const t of added) idToToken.set(t.id, t.content);
  const tokenToId = new Map<string, number>(added.map((t) => [t.content, t.id]));
  for (const [token, id] of vocab) if (!tokenToId.has(token)) tokenToId.set(token, id);

  let unkId: number | undefined;
  if (model.unk_token !== null && model.unk_token !== undefined) {
    if (typeof model.unk_token !== "string") throw new TokenizerError(where, "model.unk_token must be a string or null");
    unkId = vocab.get(model.unk_token);
    if (unkId === undefined) throw new TokenizerError(where, `model.unk_token ${JSON.stringify(model.unk_token)} is not in model.vocab`);
  }
  const bpe = new BpeModel(vocab, merges, {
    unkId,
    fuseUnk: model.fuse_unk === true,
    ignoreMerges: model.ignore_merges === true,
  });
  let vocabSize = 0;
  for (const id of idToToken.keys()) vocabSize = Math.max(vocabSize, id + 1);
  return { model: bpe, pre, added, idToToken, tokenToId, vocabSize };
}

function parseVocab(value: unknown, where: string): Map<string, number> {
  const obj = asObject(value, where, "model.vocab");
  const vocab = new Map<string, number>();
  const seen = new Map<number, string>();
  for (const [token, id] of Object.entries(obj)) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= MAX_ID) {
      throw new TokenizerError(where, `model.vocab[${JSON.stringify(token)}] must be an integer id in [0, ${MAX_ID}), got ${JSON.stringify(id)}`);
    }
    const other = seen.get(id as number);
    if (other !== undefined) throw new TokenizerError(where, `model.vocab: id ${id} is used by both ${JSON.stringify(other)} and ${JSON.stringify(token)}`);
    seen.set(id as number, token);
    vocab.set(token, id as number);
  }
  if (vocab.size === 0) throw new TokenizerError(where, "model.vocab is empty");
  return vocab;
}

/** Merges as "a b" strings (every HF version) or [a, b] pairs (tokenizers >= 0.20); each side and the result must be in the vocabulary. */
function parseMerges(value: unknown, vocab: Map<string, number>, where: string): [number, number, number][] {
  if (!Array.isArray(value)) throw new TokenizerError(where, "model.merges must be an array");
  return value.map((entry, rank) => {
    let parts: unknown[];
    if (typeof entry === "string") parts = entry.split(" ");
    else if (Array.isArray(entry)) parts = entry;
    else throw new TokenizerError(where, `model.merges[${rank}] must be a "a b" string or a [a, b] pair`);
    if (parts.length !== 2 || typeof parts[0] !== "string" || typeof parts[1] !== "string") {
      throw new TokenizerError(where, `model.merges[${rank}] ${JSON.stringify(entry)} is not exactly two tokens`);
    }
    const [a, b] = parts as [string, string];
    const ids = [a, b, a + b].map((t) => {
      const id = vocab.get(t);
      if (id === undefined) throw new TokenizerError(where, `model.merges[${rank}] ${JSON.stringify(entry)}: ${JSON.stringify(t)} is not in model.vocab`);
      return id;
    });
    return ids as [number, number, number];
  });
}

function parseAddedTokens(value: unknown, where: string): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TokenizerError(where, "added_tokens must be an array");
  return value.map((entry, i) => {
    const t = asObject(entry, where, `added_tokens[${i}]`);
    if (!Number.isInteger(t.id) || (t.id as number) < 0) throw new TokenizerError(where, `added_tokens[${i}].id must be a non-negative integer`);
    if (typeof t.content !== "string" || t.content === "") throw new TokenizerError(where, `added_tokens[${i}].content must be a non-empty string`);
    for (const flag of ["single_word", "lstrip", "rstrip"]) {
      if (t[flag] === true) throw new TokenizerError(where, `added_tokens[${i}].${flag}: true is not supported`);
    }
    const special = t.special === true;
    return { id: t.id as number, content: t.content, special, normalized: (t.normalized as boolean | undefined) ?? !special };
  });
}

/**
 * HF's loader does not trust added-token ids: it re-adds each token in order, taking its model-vocabulary id if the
 * content is there, else the next id after the model vocabulary (`vocab.len()`) and the added ids so far
 * (`AddedVocabulary::add_tokens`), and only warns when that differs from the file. Such a file means different ids in
 * HF than it says, so it is refused here.
 */
function checkAddedIds(added: readonly AddedToken[], vocab: ReadonlyMap<string, number>, where: string): void {
  const assigned = new Map<string, number>();
  let maxAssigned = -1; // the largest id in HF's added_tokens_map so far, model-vocabulary ids included
  added.forEach((t, i) => {
    let id = assigned.get(t.content) ?? vocab.get(t.content);
    if (id === undefined) id = maxAssigned >= vocab.size ? maxAssigned + 1 : vocab.size;
    assigned.set(t.content, id);
    maxAssigned = Math.max(maxAssigned, id);
    if (id !== t.id) {
      throw new TokenizerError(where, `added_tokens[${i}] ${JSON.stringify(t.content)} has id ${t.id}, but HF tokenizers would number it ${id} (ids must continue the model vocabulary in order)`);
    }
  });
}
