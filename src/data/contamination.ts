/**
 * Train/eval contamination, two ways:
 *
 * 1. Exact leakage: an eval prompt that, after normalising case, numbers and whitespace, equals a training prompt
 *    or appears inside a training text. The generated world must have none (a test checks it).
 * 2. N-gram overlap, as open-instruct's decontamination/search.py reports it: for each eval prompt, the largest
 *    share of its word positions covered by n-grams that also occur in one single training document
 *    (n = 8 by default; a prompt shorter than n words is one gram). Unlike open-instruct, n-grams are taken over
 *    the normalised text (every number reads as 0), which can only raise the figure. A share at or above the threshold (0.5 in
 *    open-instruct) marks the prompt as contaminated. A templated world shares phrasing between train and eval by
 *    design, so this figure is a report, not a gate.
 */

/** Lower case, every number (digits with `.`/`,` inside) as 0, runs of whitespace as one space, trimmed. */
export function normalizeForLeakage(text: string): string {
  return text
    .toLowerCase()
    .replace(/\d+(?:[.,]\d+)*/g, "0")
    .replace(/\s+/g, " ")
    .trim();
}

/** Words for n-grams: lower-case runs of letters and digits. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

export interface EvalPrompt {
  /** Where it came from, e.g. `datasets/world/rlvr-eval.jsonl:12`. */
  where: string;
  id: string;
  text: string;
}

export interface PromptOverlap extends EvalPrompt {
  /** Largest share of the prompt's words covered by n-grams shared with one training document. */
  overlap: number;
  /** True when the normalised prompt equals or is contained in some training text. */
  exact: boolean;
}

interface IndexedPrompt {
  prompt: EvalPrompt;
  normalized: string;
  gram: number;
  wordCount: number;
  best: number;
  exact: boolean;
}

/** Feed every training text to `addTrain`, then read `results()`. Memory grows with the eval set only. */
export class ContaminationIndex {
  private readonly prompts: IndexedPrompt[];
  /** gram length -> gram text -> (prompt index, first word position) pairs. */
  private readonly grams = new Map<number, Map<string, [number, number][]>>();
  private readonly byNormalized = new Map<string, number[]>();
  trainTexts = 0;

  constructor(evalPrompts: readonly EvalPrompt[], readonly n = 8) {
    if (!(n >= 1)) throw new Error(`n-gram size must be at least 1, got ${n}`);
    this.prompts = evalPrompts.map((prompt, i) => {
      const normalized = normalizeForLeakage(prompt.text);
      const w = words(normalized);
      const gram = Math.min(n, w.length);
      const list = this.byNormalized.get(normalized) ?? [];
      list.push(i);
      this.byNormalized.set(normalized, list);
      if (gram > 0) {
        const table = this.grams.get(gram) ?? new Map<string, [number, number][]>();
        this.grams.set(gram, table);
        for (let p = 0; p + gram <= w.length; p++) {
          const key = w.slice(p, p + gram).join(" ");
          const hits = table.get(key) ?? [];
          hits.push([i, p]);
          table.set(key, hits);
        }
      }
      return { prompt, normalized, gram, wordCount: w.length, best: 0, exact: false };
    });
  }

  /** One training document (a prompt, a message or a pretraining text). */
  addTrain(text: string): void {
    this.trainTexts++;
    const normalized = normalizeForLeakage(text);
    for (const i of this.byNormalized.get(normalized) ?? []) this.prompts[i]!.exact = true;
    const w = words(normalized);
    const covered = new Map<number, Set<number>>();
    for (const [gram, table] of this.grams) {
      for (let p = 0; p + gram <= w.length; p++) {
        const hits = table.get(w.slice(p, p + gram).join(" "));
        if (!hits) continue;
        for (const [i, start] of hits) {
          const positions = covered.get(i) ?? new Set<number>();
          covered.set(i, positions);
          for (let k = start; k < start + gram; k++) positions.add(k);
        }
      }
    }
    for (const [i, positions] of covered) {
      const entry = this.prompts[i]!;
      entry.best = Math.max(entry.best, positions.size / entry.wordCount);
      // A full cover is the only case where the prompt can sit inside this text verbatim.
      if (positions.size === entry.wordCount && !entry.exact && normalized.includes(entry.normalized)) entry.exact = true;
    }
    for (const entry of this.prompts) {
      // Prompts with no words (only punctuation) can still be contained verbatim.
      if (entry.wordCount === 0 && entry.normalized !== "" && normalized.includes(entry.normalized)) entry.exact = true;
    }
  }

  results(): PromptOverlap[] {
    return this.prompts.map((e) => ({ ...e.prompt, overlap: e.best, exact: e.exact }));
  }
}

export interface ContaminationSummary {
  n: number;
  threshold: number;
  trainTexts: number;
  evalPrompts: number;
  /** Eval prompts found verbatim (after normalisation) in training data. */
  exact: PromptOverlap[];
  /** Eval prompts whose n-gram overlap is at or above the threshold. */
  contaminated: number;
  meanOverlap: number;
  /** The most-overlapping prompts, highest first. */
  worst: PromptOverlap[];
}

export function summarizeContamination(index: ContaminationIndex, threshold = 0.5, worst = 5): ContaminationSummary {
  const results = index.results();
  const mean = results.length === 0 ? 0 : results.reduce((s, r) => s + r.overlap, 0) / results.length;
  return {
    n: index.n,
    threshold,
    trainTexts: index.trainTexts,
    evalPrompts: results.length,
    exact: results.filter((r) => r.exact),
    contaminated: results.filter((r) => r.overlap >= threshold).length,
    meanOverlap: mean,
    worst: [...results].sort((a, b) => b.overlap - a.overlap).slice(0, worst),
  };
}
