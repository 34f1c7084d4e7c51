/**
 * posttrain verifiers: GSM8K, MATH and IFEval checkers that agree with the reference implementations
 * (open-instruct's GSM8KVerifier and MathVerifier, Google's instruction_following_eval), rewards as Tülu 3.
 * Pure TypeScript: no tfjs here.
 */
export { verify, resolveVerifier, VERIFIER_NAMES, failedResult } from "./registry.js";
export type { VerifySpec, VerifyOptions, VerifyResult, VerifierName, Verdict } from "./types.js";
export {
  DEFAULT_CORRECT_REWARD,
  DEFAULT_INCORRECT_REWARD,
  DEFAULT_TIME_BUDGET_MS,
  MAX_RESPONSE_CHARS,
} from "./types.js";
export { extractGsm8kAnswer } from "./gsm8k.js";
export { mathCandidates, hendrycksIsEquiv, normalizeFinalAnswer, sympyIsEquiv } from "./math/index.js";
export { VerifierPool, verifyMany, type PoolOptions, type VerifyJob } from "./pool.js";
export { parseVerifyRow, type VerifyRow } from "./rows.js";
export { VerifySummary } from "./summary.js";
