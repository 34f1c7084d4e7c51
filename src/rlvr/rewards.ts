/**
 * Verifiable rewards for RLVR rollouts, Tülu 3 style (open_instruct/ground_truth_utils.py and the PPO
 * script's reward assembly; ANCHORS §2.10):
 *
 *   r = correct_reward · [verifier says correct]                 (Tülu 3: 10 or 0)
 *     + format_reward  · [response has the verifier's format]     (optional, 0 = off)
 *   r = non_stop_penalty  when the response was cut off before EOS and the penalty is set
 *                         (open-instruct `non_stop_penalty`: the score is *replaced*, as
 *                         `torch.where(contain_stop_token, scores, penalty_reward_value)`)
 *
 * Each row's `dataset` names its verifier. The verifier sees ONLY the decoded response text, never the prompt
 * (ifeval's spec carries the prompt for `combination:repeat_prompt`, as IFEval does, but the text scored is the
 * response). Checks run concurrently through a {@link RewardChecker}: in the runner, the verifiers' worker pool
 * (p-queue, hard per-check timeout). A check that times out scores 0 and is counted in `timeouts`.
 *
 * "Format" per verifier: gsm8k, a final `#### <number>` line (GSM8K's answer format, what the SFT data
 * teaches); math, a `\boxed{...}` answer; ifeval has no answer format, so it never earns the format reward.
 */
import { verifierSpec, type RlvrRow } from "../data/index.js";
import { PosttrainError } from "../errors.js";
import { resolveVerifier, type VerifierPool, type VerifyResult, type VerifySpec } from "../verifiers/index.js";

/** Something that scores one response (the verifier pool in the runner, a recorder in tests). */
export interface RewardChecker {
  check(verifier: string, response: string, spec: VerifySpec): Promise<VerifyResult>;
}

/** The verifier worker pool as a RewardChecker. */
export function poolChecker(pool: VerifierPool): RewardChecker {
  return { check: (verifier, response, spec) => pool.verify(verifier, response, spec) };
}

export interface RewardConfig {
  correctReward: number;
  formatReward: number;
  /** Reward of a response cut off before EOS; null = no penalty (its verifier reward stands). */
  nonStopPenalty: number | null;
}

/** One response to score: its row (verifier + ground truth), the decoded response text, how it ended. */
export interface RewardInput {
  row: Pick<RlvrRow, "messages" | "ground_truth" | "dataset"> & { id?: string };
  response: string;
  /** True when generation stopped at max_response_length rather than EOS. */
  truncated: boolean;
}

export interface ScoredResponse {
  reward: number;
  /** The canonical verifier name (gsm8k, math, ifeval). */
  verifier: string;
  correct: boolean;
  formatted: boolean;
  timedOut: boolean;
  truncated: boolean;
}

export interface RewardSummary {
  rewardMean: number;
  rewardStd: number;
  /** Share correct per verifier over this batch. */
  accuracy: Record<string, number>;
  timeouts: number;
  truncatedShare: number;
  formattedShare: number;
}

const GSM8K_FORMAT = /####\s*[-+]?[\d,]*\.?\d+\s*$/;
const BOXED = /\\boxed\s*\{/;

/** Whether `response` has the answer format its verifier expects (see the module comment). */
export function hasAnswerFormat(verifier: string, response: string): boolean {
  switch (resolveVerifier(verifier)) {
    case "gsm8k":
      return GSM8K_FORMAT.test(response.trimEnd());
    case "math":
      return BOXED.test(response);
    case "ifeval":
      return false;
  }
}

/** Scores every response concurrently; results in input order. */
export async function scoreResponses(checker: RewardChecker, inputs: readonly RewardInput[], config: RewardConfig): Promise<ScoredResponse[]> {
  return Promise.all(
    inputs.map(async ({ row, response, truncated }) => {
      const verifier = resolveVerifier(row.dataset);
      let result: VerifyResult;
      try {
        result = await checker.check(verifier, response, verifierSpec(row));
      } catch (err) {
        throw new PosttrainError(`rewards: row ${JSON.stringify(row.id ?? "?")}: ${(err as Error).message}`);
      }
      const timedOut = result.details.timeout === true;
      const correct = result.correct && !timedOut;
      const formatted = hasAnswerFormat(verifier, response);
      let reward = (correct ? config.correctReward : 0) + (formatted ? config.formatReward : 0);
      if (truncated && config.nonStopPenalty !== null) reward = config.nonStopPenalty;
      return { reward, verifier, correct, formatted, timedOut, truncated };
    }),
  );
}

/** Batch statistics of scored responses (reward std: the population std over the whole batch). */
export function summarizeRewards(scored: readonly ScoredResponse[]): RewardSummary {
  const n = Math.max(1, scored.length);
  const mean = scored.reduce((a, s) => a + s.reward, 0) / n;
  const variance = scored.reduce((a, s) => a + (s.reward - mean) ** 2, 0) / n;
  const byVerifier = new Map<string, { right: number; total: number }>();
  for (const s of scored) {
    const v = byVerifier.get(s.verifier) ?? { right: 0, total: 0 };
    v.total++;
    if (s.correct) v.right++;
    byVerifier.set(s.verifier, v);
  }
  return {
    rewardMean: mean,
    rewardStd: Math.sqrt(variance),
    accuracy: Object.fromEntries([...byVerifier].map(([name, v]) => [name, v.right / v.total])),
    timeouts: scored.filter((s) => s.timedOut).length,
    truncatedShare: scored.filter((s) => s.truncated).length / n,
    formattedShare: scored.filter((s) => s.formatted).length / n,
  };
}

/**
 * One throw-away ifeval check per worker, run concurrently so each worker gets one: the first ifeval check in a
 * fresh worker loads the langdetect profiles and the Punkt tables (~0.4 s), which must not count against a
 * real check's time budget.
 */
export async function warmUpPool(pool: VerifierPool, workers: number): Promise<void> {
  const spec: VerifySpec = {
    instruction_id_list: ["language:response_language", "length_constraints:number_sentences"],
    kwargs: [{ language: "en" }, { relation: "at least", num_sentences: 1 }],
    prompt: "Say hello.",
  };
  await Promise.all(Array.from({ length: workers }, () => pool.verify("ifeval", "Hello there. This is a warm-up answer.", spec)));
}
