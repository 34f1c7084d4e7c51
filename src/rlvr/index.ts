/**
 * RLVR: rollouts with the KV cache, verifier rewards, the GRPO family (group advantages, clipped objective,
 * KL to a frozen reference) and Tülu 3's PPO (value model, GAE), and the rlvr stage runner.
 */
export { groupAdvantages, type GroupAdvantageOptions, type GroupAdvantages, type ScaleRewards } from "./advantages.js";
export { klPerToken, KL_ESTIMATORS, type KlEstimator, type KlOptions } from "./kl.js";
export {
  policyLoss,
  policyLossMetrics,
  disposePolicyLossOutput,
  type PolicyLossInputs,
  type PolicyLossOptions,
  type PolicyLossOutput,
  type PolicyLossType,
} from "./policy-loss.js";
export { gae, tokenRewards, maskedWhiten, valueLoss, type GaeOptions } from "./gae.js";
export { rollout, responseBatch, responseLogprobs, responseLogits, type ResponseBatch, type RolloutOptions, type RolloutResult, type RolloutSample } from "./rollout.js";
export {
  scoreResponses,
  summarizeRewards,
  hasAnswerFormat,
  poolChecker,
  warmUpPool,
  type RewardChecker,
  type RewardConfig,
  type RewardInput,
  type RewardSummary,
  type ScoredResponse,
} from "./rewards.js";
export { grpoUpdate, type GrpoConfig, type GrpoModels, type UpdateMetrics } from "./grpo.js";
export { ppoUpdate, valueModelFrom, responseValues, VALUE_ROW, type PpoConfig, type PpoModels } from "./ppo.js";
export { rlvrPrompts, heldOutEval, heldOutColumns, type RlvrPrompt, type HeldOutScores, type HeldOutResult } from "./data.js";
export { rolloutKl } from "./kl-probe.js";
export { runRlvr, responseText } from "./run.js";
