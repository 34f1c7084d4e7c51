/** Causal-LM training on text: the pretrain and anneal stages. */
export { runCausalLmStage } from "./run.js";
export { causalLmLossSum } from "./loss.js";
export { packedTextRows, rowCursor } from "./data.js";
