/** The OLMo-2 model: config and presets, the decoder, per-token log-probs, generation. */
export { type Olmo2Config, type PresetName, PRESETS, configFromPreset, isPresetName, headDim, eosIds, validateConfig, parameterCounts } from "./config.js";
export { Olmo2Model, type HostTensor, type ForwardOptions, type CachedStep, tensorShapes } from "./olmo2.js";
export { KVCache } from "./kv-cache.js";
export { tokenLogprobs, shiftedTokenLogprobs, batchTokenLogprobs, type TokenBatch } from "./logprobs.js";
export { generate, type GenerateOptions, type GenerateResult, type FinishReason } from "./generate.js";
export { chooseToken, argmax, logSumExp, type SamplingOptions } from "./sampling.js";
