/**
 * DPO: the preference losses, pair data, the frozen reference's cached log-probs, the micro-batch step, the
 * stage runner, and on-policy preference pairs ranked by the verifiers (`posttrain prefs`).
 */
export {
  DPO_LOSSES,
  dpoLoss,
  dpoMetrics,
  withChosenNll,
  disposeDpoOutput,
  sigmoidLoss,
  dpoNormLoss,
  ipoLoss,
  simpoLoss,
  type DpoLossType,
  type DpoLossFn,
  type DpoLossOptions,
  type DpoLossOutput,
  type PreferenceLogps,
} from "./loss.js";
export {
  tokenizePair,
  preferencePairs,
  pairBatch,
  pairCursor,
  dpoTotalSteps,
  lastAssistantSpan,
  truncateResponse,
  responseTokenCounts,
  type ChatEncoder,
  type PairLimits,
  type TokenizedPair,
  type TokenizedResponse,
  type PairMicroBatch,
} from "./data.js";
export { sequenceLogps, pairLogpsOf, dpoBatchLoss, pairStats, PairStatsAccumulator, type PairLogps, type PairStats, type DpoStepConfig } from "./step.js";
export { referenceCacheKey, cachedReferenceLogps, computePairLogps, REFERENCE_CACHE_FILE, type ReferenceLogps, type ReferenceKeyInputs } from "./reference.js";
export { trainDpo, evaluatePairs, type ReferenceSource, type DpoTrainOptions, type DpoTrainResult } from "./train.js";
export { runDpo } from "./run.js";
export { choosePair, onPolicyPair, type ScoredSample } from "./pairs.js";
export { onPolicyPreferences, type PrefsOptions, type PrefsStats, type PromptTokenizer } from "./prefs.js";
