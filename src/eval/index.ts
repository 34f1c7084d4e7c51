/** Held-out evaluation: generation, verifier scoring, IFEval strict/loose accuracies, EOS rate, lengths. */
export { runEval, evaluateModel, headline } from "./run.js";
export { scoreSamples, ifevalScores, type SampleRecord, type SetScores, type IfevalScores } from "./metrics.js";
