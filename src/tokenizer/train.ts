import { ALPHABET_IN_ID_ORDER, BYTE_TO_CHAR, utf8Bytes } from "./bytes.js";
import { pairKey, MAX_ID } from "./bpe.js";
import { OLMO2_CHAT_TEMPLATE } from "./chat.js";
import { TokenizerError } from "./errors.js";
import { Heap } from "./heap.js";
import { CL100K_PATTERN, PreTokenizer } from "./pretokenize.js";
import { Tokenizer } from "./tokenizer.js";

/** Added after the BPE vocabulary, in this order (HF numbers added tokens from the model's vocabulary size up). */
export const SPECIAL_TOKENS = ["<|endoftext|>", "<|pad|>", "<|user|>", "<|assistant|>", "<|system|>"] as const;

/** OLMo 2's pre-tokenizer as it appears in its tokenizer.json. */
export const OLMO2_PRE_TOKENIZER = {
  type: "Sequence",
  pretokenizers: [
    { type: "Split", pattern: { Regex: CL100K_PATTERN }, behavior: "Isolated", invert: false },
    { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
  ],
};

export interface TrainOptions {
  /** Total size: 256 byte symbols + merges + the 5 added tokens. */
  vocabSize: number;
  /** Stop when the most frequent pair occurs fewer times than this (HF `min_frequency`); default 2. */
  minFrequency?: number;
  /** tokenizer_config.json `model_max_length`; default 4096 (OLMo 2's context). */
  modelMaxLength?: number;
}

/**
 * Train a byte-level BPE with OLMo 2's layout and return it as a Tokenizer (its files are built in memory).
 *
 * Algorithm (the word-count formulation of HF's `BpeTrainer`): pre-tokenize every text with the cl100k regex and count
 * each distinct piece; pieces become sequences of byte symbols (ids 0..255 in GPT-2's order). Then repeatedly merge the
 * most frequent adjacent pair, counted over pieces weighted by frequency; ties go to the smallest (left id, right id),
 * the order HF's trainer uses, so the result is a function of the data alone. Pair counts are updated incrementally
 * for the pieces that contain the merged pair, and a max-heap with lazy re-insertion picks the next pair. A merge whose
 * string already exists (from another pair) records the merge and reuses the id, as HF does. Training stops at the
 * requested size or when no pair reaches `minFrequency`.
 */
export async function trainTokenizer(
  texts: Iterable<string> | AsyncIterable<string>,
  opts: TrainOptions,
): Promise<Tokenizer> {
  const modelSize = opts.vocabSize - SPECIAL_TOKENS.length;
  if (!Number.isInteger(opts.vocabSize) || modelSize < 256 || opts.vocabSize > MAX_ID) {
    throw new TokenizerError("tokenizer", `vocab size must be an integer from ${256 + SPECIAL_TOKENS.length} to ${MAX_ID}, got ${opts.vocabSize}`);
  }
  const minFrequency = Math.max(1, opts.minFrequency ?? 2);
  const counts = await countPieces(texts);
  const { tokens, merges } = learnMerges(counts, modelSize, minFrequency);
  return Tokenizer.fromJSON(buildTokenizerJson(tokens, merges), buildTokenizerConfig(tokens.length, opts.modelMaxLength ?? 4096));
}

async function countPieces(texts: Iterable<string> | AsyncIterable<string>): Promise<Map<string, number>> {
  const pre = PreTokenizer.fromJSON(OLMO2_PRE_TOKENIZER, "tokenizer");
  const counts = new Map<string, number>();
  for await (const text of texts) {
    for (const piece of pre.split(text)) counts.set(piece.text, (counts.get(piece.text) ?? 0) + 1);
  }
  return counts;
}

/** The merge loop; returns the model vocabulary (index = id) and merges as id pairs in rank order. */
function learnMerges(counts: Map<string, number>, modelSize: number, minFrequency: number) {
  const tokens = [...ALPHABET_IN_ID_ORDER];
  const idOf = new Map(tokens.map((t, i) => [t, i]));
  const byteId = BYTE_TO_CHAR.map((c) => idOf.get(c)!);
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [piece, n] of counts) {
    words.push(Array.from(utf8Bytes(piece), (b) => byteId[b]!));
    freq.push(n);
  }
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const note = (key: number, w: number): void => {
    let set = where.get(key);
    if (!set) where.set(key, (set = new Set()));
    set.add(w);
  };
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.length; i++) {
      const key = pairKey(word[i]!, word[i + 1]!);
      pairCount.set(key, (pairCount.get(key) ?? 0) + freq[w]!);
      note(key, w);
    }
  });
  type Entry = { count: number; key: number };
  const heap = new Heap<Entry>((a, b) => a.count > b.count || (a.count === b.count && a.key < b.key));
  for (const [key, count] of pairCount) heap.push({ count, key });

  const merges: [number, number][] = [];
  while (tokens.length < modelSize) {
    const top = heap.pop();
    if (!top) break;
    const current = pairCount.get(top.key) ?? 0;
    if (current !== top.count) {
      if (current > 0) heap.push({ count: current, key: top.key }); // stale: re-queue with the true count
      continue;
    }
    if (current < minFrequency) break;
    const left = Math.floor(top.key / MAX_ID);
    const right = top.key % MAX_ID;
    const merged = tokens[left]! + tokens[right]!;
    let newId = idOf.get(merged);
    if (newId === undefined) {
      newId = tokens.length;
      tokens.push(merged);
      idOf.set(merged, newId);
    }
    merges.push([left, right]);
    const delta = new Map<number, number>();
    for (const w of where.get(top.key) ?? []) {
      const word = words[w]!;
      const replaced = mergeWord(word, left, right, newId);
      if (replaced === word) continue; // pair no longer in this word
      const n = freq[w]!;
      for (let i = 0; i + 1 < word.length; i++) {
        const key = pairKey(word[i]!, word[i + 1]!);
        delta.set(key, (delta.get(key) ?? 0) - n);
      }
      for (let i = 0; i + 1 < replaced.length; i++) {
        const key = pairKey(replaced[i]!, replaced[i + 1]!);
        delta.set(key, (delta.get(key) ?? 0) + n);
        if (replaced[i] === newId || replaced[i + 1] === newId) note(key, w);
      }
      words[w] = replaced;
    }
    where.delete(top.key);
    for (const [key, d] of delta) {
      if (d === 0) continue;
      const count = (pairCount.get(key) ?? 0) + d;
      if (count > 0) pairCount.set(key, count);
      else pairCount.delete(key);
      if (d > 0) heap.push({ count, key });
    }
  }
  return { tokens, merges };
}

/** Replace each non-overlapping (left, right), scanning left to right; returns `word` itself when there is none. */
function mergeWord(word: number[], left: number, right: number, id: number): number[] {
  let out: number[] | undefined;
  for (let i = 0; i < word.length; i++) {
    if (word[i] === left && word[i + 1] === right && i + 1 < word.length) {
      out ??= word.slice(0, i);
      out.push(id);
      i++;
    } else if (out) {
      out.push(word[i]!);
    }
  }
  return out ?? word;
}

/** tokenizer.json in the layout HF `tokenizers` writes for OLMo 2 / GPT-2 style byte-level BPE. */
export function buildTokenizerJson(tokens: readonly string[], merges: readonly (readonly [number, number])[]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, i) => ({
      id: tokens.length + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: OLMO2_PRE_TOKENIZER,
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      // "a b" strings load in every tokenizers version (pairs need >= 0.20); byte-level tokens never contain a space.
      merges: merges.map(([l, r]) => `${tokens[l]} ${tokens[r]}`),
    },
  };
}

/**
 * tokenizer_config.json as transformers writes it (keys sorted), OLMo-2-Instruct style (bos = eos = unk =
 * `<|endoftext|>`, `<|pad|>`), except `tokenizer_class`: OLMo 2 ships "GPT2Tokenizer", but transformers 5 rebuilds a
 * GPT2Tokenizer's pipeline with GPT-2's own regex (ignoring the Split pre-tokenizer, so ids change) unless a config.json
 * says model_type olmo2. "PreTrainedTokenizerFast" uses tokenizer.json as written in transformers 4 and 5 alike.
 */
export function buildTokenizerConfig(modelSize: number, modelMaxLength: number): Record<string, unknown> {
  const addedTokensDecoder: Record<string, unknown> = {};
  SPECIAL_TOKENS.forEach((content, i) => {
    addedTokensDecoder[String(modelSize + i)] = { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  });
  return {
    add_prefix_space: false,
    added_tokens_decoder: addedTokensDecoder,
    additional_special_tokens: ["<|user|>", "<|assistant|>", "<|system|>"],
    bos_token: "<|endoftext|>",
    chat_template: OLMO2_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: "<|endoftext|>",
    model_max_length: modelMaxLength,
    pad_token: "<|pad|>",
    tokenizer_class: "PreTrainedTokenizerFast",
    unk_token: "<|endoftext|>",
  };
}
