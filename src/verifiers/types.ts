/** Public types of the verifier library (see index.ts for the entry points). */

/** What a row says the response must satisfy. Which fields matter depends on the verifier. */
export interface VerifySpec {
  /** gsm8k / math: the reference answer (a list: correct if any element matches). ifeval (RLVR-IF rows): JSON naming the constraint. */
  ground_truth?: string | string[];
  /** ifeval: the instruction ids, one per check. */
  instruction_id_list?: string[];
  /** ifeval: one kwargs dict per instruction id. */
  kwargs?: (Record<string, unknown> | null)[];
  /** ifeval: the prompt (needed by `combination:repeat_prompt`). */
  prompt?: string;
}

export interface VerifyOptions {
  /** Reward for a correct response; Tülu 3's verifiable reward uses 10. */
  correctReward?: number;
  /** Reward for an incorrect response; Tülu 3 uses 0. */
  incorrectReward?: number;
  /** Cooperative time budget of one check in milliseconds; a check that runs past it scores incorrect. */
  timeBudgetMs?: number;
}

export interface VerifyResult {
  correct: boolean;
  reward: number;
  /** Verifier-specific facts (extracted answer, candidates, per-instruction verdicts); `reason` when a check gave up. */
  details: Record<string, unknown>;
}

/** The registry's canonical verifier names. */
export type VerifierName = "gsm8k" | "math" | "ifeval";

/** What a verifier function returns before the reward is attached. */
export interface Verdict {
  correct: boolean;
  details: Record<string, unknown>;
}

export const DEFAULT_CORRECT_REWARD = 10;
export const DEFAULT_INCORRECT_REWARD = 0;
export const DEFAULT_TIME_BUDGET_MS = 1000;
/**
 * Responses longer than this (UTF-16 code units) are scored incorrect without being read: model outputs of
 * 32k tokens are about 130k characters, so this only rejects hostile or runaway generations.
 */
export const MAX_RESPONSE_CHARS = 200_000;
/** Ground truths longer than this are a bad spec. */
export const MAX_GROUND_TRUTH_CHARS = 10_000;
