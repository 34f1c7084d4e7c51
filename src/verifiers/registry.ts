/**
 * The verifier registry: an explicit name -> function map (no discovery by side effects), the dataset-name
 * aliases AI2's RLVR data uses, spec validation, safety bounds and Tülu 3 rewards.
 */
import { VerifierSpecError } from "../errors.js";
import { BudgetExceeded, Deadline } from "./deadline.js";
import { verifyGsm8k } from "./gsm8k.js";
import { verifyIfeval } from "./ifeval/index.js";
import { verifyMath } from "./math/index.js";
import {
  DEFAULT_CORRECT_REWARD,
  DEFAULT_INCORRECT_REWARD,
  DEFAULT_TIME_BUDGET_MS,
  MAX_GROUND_TRUTH_CHARS,
  MAX_RESPONSE_CHARS,
  type Verdict,
  type VerifierName,
  type VerifyOptions,
  type VerifyResult,
  type VerifySpec,
} from "./types.js";

type VerifierFn = (response: string, spec: VerifySpec, deadline: Deadline) => Verdict;

const VERIFIERS: Record<VerifierName, VerifierFn> = {
  gsm8k: (response, spec) => verifyGsm8k(response, answerLabels("gsm8k", spec)),
  math: (response, spec, deadline) => verifyMath(response, answerLabels("math", spec), deadline),
  ifeval: (response, spec, deadline) => {
    const r = verifyIfeval(response, spec, { deadline: deadline.epochMs });
    return { correct: r.correct, details: r.details as unknown as Record<string, unknown> };
  },
};

export const VERIFIER_NAMES: readonly VerifierName[] = Object.freeze(["gsm8k", "math", "ifeval"]);

/**
 * Names a row may carry in `verifier` or `dataset`, lower-cased. AI2's RLVR mixes label rows `gsm8k`, `MATH`
 * and `ifeval`; open-instruct also knows `ifeval_old`-style IF rows as `ifeval`.
 */
const ALIASES: Record<string, VerifierName> = {
  gsm8k: "gsm8k",
  "gsm-8k": "gsm8k",
  math: "math",
  "hendrycks_math": "math",
  "minerva_math": "math",
  ifeval: "ifeval",
  "if_eval": "ifeval",
  "ifeval_old": "ifeval",
};

/** Resolves a verifier or dataset name (case-insensitive) to a verifier; unknown names throw VerifierSpecError. */
export function resolveVerifier(nameOrDataset: string): VerifierName {
  const name = typeof nameOrDataset === "string" ? ALIASES[nameOrDataset.trim().toLowerCase()] : undefined;
  if (!name) {
    throw new VerifierSpecError(
      `unknown verifier ${JSON.stringify(nameOrDataset)}: valid names are ${VERIFIER_NAMES.join(", ")} ` +
        `(dataset names accepted: ${Object.keys(ALIASES).join(", ")}; case-insensitive)`,
    );
  }
  return name;
}

/** The reference answers of a gsm8k/math spec; a missing, empty or oversized ground truth is a bad spec. */
function answerLabels(verifier: VerifierName, spec: VerifySpec): string[] {
  const gt = spec.ground_truth;
  const labels = typeof gt === "string" ? [gt] : Array.isArray(gt) ? gt : undefined;
  if (!labels || labels.length === 0 || labels.some((l) => typeof l !== "string")) {
    throw new VerifierSpecError(`${verifier}: ground_truth must be a string or a non-empty list of strings`);
  }
  if (labels.some((l) => l.length > MAX_GROUND_TRUTH_CHARS)) {
    throw new VerifierSpecError(`${verifier}: ground_truth longer than ${MAX_GROUND_TRUTH_CHARS} characters`);
  }
  return labels;
}

function rewardOf(correct: boolean, opts: VerifyOptions | undefined): number {
  return correct
    ? (opts?.correctReward ?? DEFAULT_CORRECT_REWARD)
    : (opts?.incorrectReward ?? DEFAULT_INCORRECT_REWARD);
}

/** Scored incorrect without running the verifier (too long, out of time, ...). */
export function failedResult(reason: string, opts?: VerifyOptions, extra: Record<string, unknown> = {}): VerifyResult {
  return { correct: false, reward: rewardOf(false, opts), details: { ...extra, reason } };
}

/**
 * Scores one response. Never throws on bad model output (it scores incorrect with `details.reason`);
 * throws VerifierSpecError for an unknown verifier or a bad spec.
 */
export function verify(name: string, response: string, spec: VerifySpec, opts?: VerifyOptions): VerifyResult {
  const verifier = resolveVerifier(name);
  if (typeof response !== "string") throw new VerifierSpecError(`${verifier}: response must be a string`);
  if (spec === null || typeof spec !== "object") throw new VerifierSpecError(`${verifier}: spec must be an object`);
  if (verifier !== "ifeval") answerLabels(verifier, spec); // a bad spec throws even for an oversized response
  if (response.length > MAX_RESPONSE_CHARS) {
    return failedResult(`response longer than ${MAX_RESPONSE_CHARS} characters (${response.length})`, opts);
  }
  const deadline = Deadline.after(opts?.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
  let verdict: Verdict;
  try {
    verdict = VERIFIERS[verifier](response, spec, deadline);
  } catch (err) {
    if (err instanceof BudgetExceeded) return failedResult("time budget exceeded", opts, { timeout: true });
    if (err instanceof RangeError) return failedResult(`gave up: ${err.message}`, opts); // e.g. stack overflow
    throw err;
  }
  return { correct: verdict.correct, reward: rewardOf(verdict.correct, opts), details: verdict.details };
}
