/**
 * Token choice from one row of logits: greedy, or sampling with temperature, then top-k, then top-p
 * (the order HF's logits processors apply them). Pure functions over typed arrays, seeded by src/rng.ts.
 */
import type { Rng } from "../rng.js";

export interface SamplingOptions {
  /** 0 = greedy (argmax, ties to the lowest id). */
  temperature: number;
  /** Keep the k most likely tokens (0 or undefined = all). */
  topK?: number;
  /** Keep the smallest most-likely set whose probability reaches p (1 or undefined = all). */
  topP?: number;
}

/** Index of the largest value; ties go to the lowest index (torch.argmax semantics). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** Natural-log softmax normaliser log(sum(exp(row))), computed stably in double precision. */
export function logSumExp(row: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max);
  return max + Math.log(sum);
}

/**
 * Indices of the most likely tokens, sorted by probability (descending, ties by id), covering at least
 * `count` tokens and `mass` probability. Exact without sorting the whole vocabulary: every token outside
 * {p >= threshold} is less likely than every token inside, so once that set is large enough the answer
 * is a prefix of it, sorted.
 */
function mostLikely(probs: Float64Array, count: number, mass: number): number[] {
  let max = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i]! > max) max = probs[i]!;
  let threshold = max;
  for (;;) {
    const picked: number[] = [];
    let total = 0;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i]! >= threshold) {
        picked.push(i);
        total += probs[i]!;
      }
    }
    if ((picked.length >= count && total >= mass) || threshold === 0 || picked.length === probs.length) {
      return picked.sort((a, b) => probs[b]! - probs[a]! || a - b);
    }
    threshold = threshold < 1e-30 ? 0 : threshold / 16;
  }
}

/** Chooses the next token from raw logits (before temperature). */
export function chooseToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  if (!(opts.temperature > 0)) return argmax(logits);
  const v = logits.length;
  const lse = logSumExp(Array.from(logits, (x) => x / opts.temperature));
  const probs = new Float64Array(v);
  for (let i = 0; i < v; i++) probs[i] = Math.exp(logits[i]! / opts.temperature - lse);
  const topK = opts.topK && opts.topK > 0 && opts.topK < v ? opts.topK : v;
  const topP = opts.topP !== undefined && opts.topP < 1 ? opts.topP : 1;
  if (topK === v && topP === 1) return sample(probs, null, rng);
  let keep = topK < v ? mostLikely(probs, topK, 0).slice(0, topK) : mostLikely(probs, 1, topP);
  if (topP < 1) {
    const kept = keep.reduce((a, i) => a + probs[i]!, 0);
    let cumulative = 0;
    let n = 0;
    while (n < keep.length && cumulative < topP * kept) cumulative += probs[keep[n++]!]!;
    keep = keep.slice(0, Math.max(1, n));
  }
  return sample(probs, keep, rng);
}

/** Draws an index proportionally to probs over `support` (all indices when null). */
function sample(probs: Float64Array, support: number[] | null, rng: Rng): number {
  const ids = support ?? Array.from({ length: probs.length }, (_, i) => i);
  let total = 0;
  for (const i of ids) total += probs[i]!;
  let u = rng.next() * total;
  for (const i of ids) {
    u -= probs[i]!;
    if (u < 0) return i;
  }
  return ids[ids.length - 1]!;
}
