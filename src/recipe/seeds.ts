/**
 * Seeds derived from the recipe's master seed and a label (a stage name, "data", "init"), so each stage and
 * each random stream gets its own reproducible seed, and two stages with different names (two anneals) get
 * different data orders without the recipe spelling seeds out. FNV-1a over the label, mixed with the seed
 * through a SplitMix32 finaliser.
 */
export function deriveSeed(seed: number, ...labels: string[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of labels.join("\u0000")) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
