/** Supervised fine-tuning: the assistant-only loss, its micro-batch step, the data pipeline and the stage runner. */
export { sftLoss, type SftLossOptions, type SftReduce } from "./loss.js";
export { sftMicroBatchLoss } from "./step.js";
export { sftExamples, packRows, sftCursor, labelTokens, realTokens, type SftMicroBatch } from "./data.js";
export { runSft, sftTotalSteps } from "./run.js";
