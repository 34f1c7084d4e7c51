/**
 * posttrain's public surface, one namespace per module (data flows down the list):
 *
 *   import { verifiers, model, recipe } from "posttrain";
 *   verifiers.verify("gsm8k", "#### 7", { ground_truth: "7" });
 *
 * The verifiers are also their own entry point, `posttrain/verifiers`, which loads no TensorFlow.js.
 */
export * as errors from "./errors.js";
export { Rng, type RngState } from "./rng.js";

// Foundation: backend, data, tokens, model, training kit, checkpoints, verifiers, recipes.
export * as engine from "./engine/index.js";
export * as data from "./data/index.js";
export * as tokenizer from "./tokenizer/index.js";
export * as model from "./model/index.js";
export * as train from "./train/index.js";
export * as checkpoint from "./checkpoint/index.js";
export * as verifiers from "./verifiers/index.js";
export * as recipe from "./recipe/index.js";

// Evaluation and the algorithms, each a stage runner plus its pure pieces.
export * as evaluation from "./eval/index.js";
export * as pretrain from "./pretrain/index.js";
export * as sft from "./sft/index.js";
export * as dpo from "./dpo/index.js";
export * as rlvr from "./rlvr/index.js";

// Orchestration: recipes into run folders, and their reports.
export * as stages from "./stages/index.js";
export * as report from "./report/index.js";
