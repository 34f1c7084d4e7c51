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
 * is a prefix of it, sorted. The threshold falls 16-fold until the set is large enough, then a few geometric
 * bisection steps shrink the set before it is sorted (callers use only the prefix they need).
 */
function mostLikely(probs: Float64Array, count: number, mass: number): number[] {
  const enough = (threshold: number): boolean => {
    let n = 0;
    let total = 0;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i]! >= threshold) {
        n++;
        total += probs[i]!;
      }
    }
    return (n >= count && total >= mass) || n === probs.length;
  };
  let max = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i]! > max) max = probs[i]!;
  let threshold = max;
  let tooHigh = Infinity;
  while (!enough(threshold) && threshold > 0) {
    tooHigh = threshold;
    threshold = threshold < 1e-30 ? 0 : threshold / 16;
  }
  for (let step = 0; step < 4 && threshold > 0 && tooHigh < Infinity; step++) {
    const mid = Math.sqrt(threshold * tooHigh);
    if (enough(mid)) threshold = mid;
    else tooHigh = mid;
  }
  const picked: number[] = [];
  for (let i = 0; i < probs.length; i++) if (probs[i]! >= threshold) picked.push(i);
  return picked.sort((a, b) => probs[b]! - probs[a]! || a - b);
}

/** Chooses the next token from raw logits (before temperature). */
export function chooseToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  if (!(opts.temperature > 0)) return argmax(logits);
  const probs = softmaxWithTemperature(logits, opts.temperature);
  const v = probs.length;
  const topK = opts.topK && opts.topK > 0 && opts.topK < v ? opts.topK : v;
  const topP = opts.topP !== undefined && opts.topP < 1 ? opts.topP : 1;
  if (topK === v && topP === 1) return sample(probs, null, rng);
  let keep = topK < v ? mostLikely(probs, topK, 0).slice(0, topK) : mostLikely(probs, 1, topP);
  if (topP < 1) {
    // Top-p over what top-k left, renormalised (HF applies the two warpers in that order); without top-k, over the
    // whole vocabulary, whose probabilities sum to 1.
    const kept = topK < v ? keep.reduce((a, i) => a + probs[i]!, 0) : 1;
    let cumulative = 0;
    let n = 0;
    while (n < keep.length && cumulative < topP * kept) cumulative += probs[keep[n++]!]!;
    keep = keep.slice(0, Math.max(1, n));
  }
  return sample(probs, keep, rng);
}

/**
 * softmax(logits / T) in double precision, through the maximum (stable): one exp per entry and no intermediate
 * arrays, since this runs for every row at every sampled step over the whole vocabulary.
 */
function softmaxWithTemperature(logits: ArrayLike<number>, temperature: number): Float64Array {
  const v = logits.length;
  let max = -Infinity;
  for (let i = 0; i < v; i++) if (logits[i]! / temperature > max) max = logits[i]! / temperature;
  const probs = new Float64Array(v);
  let total = 0;
  for (let i = 0; i < v; i++) total += probs[i] = Math.exp(logits[i]! / temperature - max);
  for (let i = 0; i < v; i++) probs[i] = probs[i]! / total;
  return probs;
}

/** Draws an index proportionally to probs over `support` (all indices, in order, when null). */
function sample(probs: Float64Array, support: number[] | null, rng: Rng): number {
  const count = support ? support.length : probs.length;
  const at = (n: number): number => (support ? support[n]! : n);
  let total = 0;
  for (let n = 0; n < count; n++) total += probs[at(n)]!;
  let u = rng.next() * total;
  for (let n = 0; n < count; n++) {
    u -= probs[at(n)]!;
    if (u < 0) return at(n);
  }
  return at(count - 1);
}
