import { TokenizerError } from "./errors.js";
import { onigurumaToJs } from "./regex.js";

/**
 * OLMo 2's (and cl100k's, Llama 3's) pre-tokenizer regex as HF writes it in tokenizer.json: contractions, letter runs
 * with one optional leading non-letter/non-digit/non-newline, digits in groups of at most three, punctuation runs with
 * an optional leading space and trailing newlines, newline runs, and whitespace (keeping the last space for the word
 * that follows).
 */
export const CL100K_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** GPT-2's regex, which HF's ByteLevel pre-tokenizer applies when `use_regex` is true (`pre_tokenizers/byte_level.rs`). */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/**
 * A piece of the input: `text` is what BPE sees; it covers the source `[start, end)` (UTF-16 indices) after `lead`
 * synthetic characters (the space ByteLevel's add_prefix_space puts in front, which has no source).
 */
export interface Piece {
  text: string;
  start: number;
  end: number;
  lead: number;
}

type Stage = { kind: "split"; regex: RegExp; keep: "all" | "matches" | "gaps" } | { kind: "prefixSpace" };

/**
 * The pre-tokenizer of a byte-level BPE tokenizer.json: a list of split stages run in order (HF `Sequence`), then
 * the ByteLevel byte→symbol mapping (done by the caller). Supported: `Split` with a Regex or String pattern and
 * behavior Isolated or Removed, and `ByteLevel` (add_prefix_space, use_regex). Others are rejected by name.
 */
export class PreTokenizer {
  private constructor(private readonly stages: Stage[]) {}

  static fromJSON(config: unknown, where: string): PreTokenizer {
    const stages: Stage[] = [];
    let sawByteLevel = false;
    const visit = (node: unknown, path: string): void => {
      const obj = asObject(node, where, path);
      switch (obj.type) {
        case "Sequence": {
          const list = obj.pretokenizers;
          if (!Array.isArray(list)) throw new TokenizerError(where, `${path}.pretokenizers must be an array`);
          list.forEach((child, i) => visit(child, `${path}.pretokenizers[${i}]`));
          return;
        }
        case "Split":
          stages.push(splitStage(obj, where, path));
          return;
        case "ByteLevel":
          if (sawByteLevel) throw new TokenizerError(where, `${path}: more than one ByteLevel pre-tokenizer`);
          sawByteLevel = true;
          if (obj.add_prefix_space ?? true) stages.push({ kind: "prefixSpace" });
          if (obj.use_regex ?? true) stages.push({ kind: "split", regex: onigurumaToJs(GPT2_PATTERN, where), keep: "all" });
          return;
        default:
          throw new TokenizerError(where, `${path}.type ${JSON.stringify(obj.type)} is not supported (byte-level BPE only)`);
      }
    };
    visit(config, "pre_tokenizer");
    if (!sawByteLevel) throw new TokenizerError(where, "pre_tokenizer has no ByteLevel step (byte-level BPE only)");
    return new PreTokenizer(stages);
  }

  /** Cut `text[start, end)` into pieces, in order; their texts joined give the input (plus prefix spaces). */
  split(text: string, start = 0, end = text.length): Piece[] {
    let pieces: Piece[] = [{ text: text.slice(start, end), start, end, lead: 0 }];
    for (const stage of this.stages) {
      if (stage.kind === "prefixSpace") {
        // HF: `if add_prefix_space && !normalized.starts_with(' ') { normalized.prepend(" ") }`, per current piece.
        pieces = pieces.map((p) => (p.text.startsWith(" ") ? p : { ...p, text: " " + p.text, lead: p.lead + 1 }));
        continue;
      }
      const next: Piece[] = [];
      for (const piece of pieces) splitPiece(piece, stage, next);
      pieces = next;
    }
    return pieces;
  }
}

function splitPiece(piece: Piece, stage: Stage & { kind: "split" }, out: Piece[]): void {
  // Map an index in piece.text to the source: synthetic leading characters have no width there.
  const source = (k: number): number => piece.start + Math.max(0, k - piece.lead);
  const push = (a: number, b: number): void => {
    if (b <= a) return;
    out.push({ text: piece.text.slice(a, b), start: source(a), end: source(b), lead: Math.max(0, Math.min(b, piece.lead) - a) });
  };
  let last = 0;
  stage.regex.lastIndex = 0;
  for (const m of piece.text.matchAll(stage.regex)) {
    const at = m.index!;
    if (stage.keep !== "matches") push(last, at);
    if (stage.keep !== "gaps") push(at, at + m[0].length);
    last = at + m[0].length;
  }
  if (stage.keep !== "matches") push(last, piece.text.length);
}

function splitStage(obj: Record<string, unknown>, where: string, path: string): Stage {
  const pattern = asObject(obj.pattern, where, `${path}.pattern`);
  let regex: RegExp;
  if (typeof pattern.Regex === "string") regex = onigurumaToJs(pattern.Regex, where);
  else if (typeof pattern.String === "string") regex = new RegExp(pattern.String.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"), "gu");
  else throw new TokenizerError(where, `${path}.pattern needs a "Regex" or "String"`);
  const invert = obj.invert === true;
  switch (obj.behavior) {
    case "Isolated":
      return { kind: "split", regex, keep: "all" };
    case "Removed":
      return { kind: "split", regex, keep: invert ? "matches" : "gaps" };
    default:
      throw new TokenizerError(where, `${path}.behavior ${JSON.stringify(obj.behavior)} is not supported (Isolated or Removed)`);
  }
}

export function asObject(value: unknown, where: string, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TokenizerError(where, `${path} must be an object`);
  }
  return value as Record<string, unknown>;
}
