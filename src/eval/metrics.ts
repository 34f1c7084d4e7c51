/**
 * Scoring of generated answers: per-verifier accuracy, IFEval prompt- and instruction-level accuracy (strict
 * and loose, as Google's instruction_following_eval reports them), EOS rate (the answer ended with EOS rather
 * than running into max_new_tokens) and mean length in tokens. Pure functions over per-sample records, so the
 * arithmetic is tested without a model.
 */

/** One generated answer with its verdicts. */
export interface SampleRecord {
  set: string;
  id: string;
  /** The verifier that scored it, or null for sets without ground truth (sft prompts). */
  verifier: string | null;
  /** The row's difficulty level when the data has one (the world's gsm8k rows: 1 to 3). */
  difficulty?: number;
  prompt: string;
  response: string;
  /** Response tokens, EOS excluded. */
  length: number;
  endedWithEos: boolean;
  /** The answer contains a role marker (<|user|>, <|assistant|>, <|system|>): it did not stay in its turn. */
  leftTurn: boolean;
  correct: boolean | null;
  /** IFEval only: per-instruction verdicts, strict and loose. */
  ifeval?: { strict: boolean[]; loose: boolean[] };
}

export interface IfevalScores {
  prompt_strict: number;
  prompt_loose: number;
  instruction_strict: number;
  instruction_loose: number;
}

export interface SetScores {
  n: number;
  eos_rate: number;
  /** Share of answers that stay in the assistant turn (no role marker inside). */
  in_turn_rate: number;
  mean_length: number;
  /** Accuracy per verifier over the samples it scored. */
  accuracy: Record<string, number>;
  /** Accuracy per verifier and difficulty level, for rows that carry a difficulty. */
  accuracy_by_difficulty?: Record<string, Record<string, number>>;
  ifeval?: IfevalScores;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * IFEval accuracies: prompt-level = share of prompts whose every instruction is followed; instruction-level
 * = share of all instructions followed (each prompt contributes its instruction count).
 */
export function ifevalScores(samples: SampleRecord[]): IfevalScores | undefined {
  const scored = samples.filter((s) => s.ifeval !== undefined);
  if (scored.length === 0) return undefined;
  const prompt = (pick: (s: SampleRecord) => boolean[]) => mean(scored.map((s) => (pick(s).every(Boolean) ? 1 : 0)));
  const instruction = (pick: (s: SampleRecord) => boolean[]) => mean(scored.flatMap((s) => pick(s).map((v) => (v ? 1 : 0))));
  return {
    prompt_strict: prompt((s) => s.ifeval!.strict),
    prompt_loose: prompt((s) => s.ifeval!.loose),
    instruction_strict: instruction((s) => s.ifeval!.strict),
    instruction_loose: instruction((s) => s.ifeval!.loose),
  };
}

export function scoreSamples(samples: SampleRecord[]): SetScores {
  const accuracy: Record<string, number> = {};
  const verifiers = [...new Set(samples.map((s) => s.verifier).filter((v): v is string => v !== null))].sort();
  for (const v of verifiers) accuracy[v] = mean(samples.filter((s) => s.verifier === v).map((s) => (s.correct ? 1 : 0)));
  const scores: SetScores = {
    n: samples.length,
    eos_rate: mean(samples.map((s) => (s.endedWithEos ? 1 : 0))),
    in_turn_rate: mean(samples.map((s) => (s.leftTurn ? 0 : 1))),
    mean_length: mean(samples.map((s) => s.length)),
    accuracy,
  };
  const graded = samples.filter((s) => s.verifier !== null && s.difficulty !== undefined);
  if (graded.length > 0) {
    const byDifficulty: Record<string, Record<string, number>> = {};
    for (const v of verifiers) {
      const levels = [...new Set(graded.filter((s) => s.verifier === v).map((s) => s.difficulty!))].sort((a, b) => a - b);
      if (levels.length === 0) continue;
      byDifficulty[v] = Object.fromEntries(
        levels.map((d) => [String(d), mean(graded.filter((s) => s.verifier === v && s.difficulty === d).map((s) => (s.correct ? 1 : 0)))]),
      );
    }
    scores.accuracy_by_difficulty = byDifficulty;
  }
  const ifeval = ifevalScores(samples);
  if (ifeval) scores.ifeval = ifeval;
  return scores;
}
