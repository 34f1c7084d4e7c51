/**
 * Data: AI2's row formats (SFT, preference, RLVR, text) validated with JSON Schemas and normalised to one typed
 * shape, streaming JSONL, batching for training, contamination checks, and the synthetic task world.
 */
export {
  FORMATS,
  VERIFIER_NAMES,
  isFormat,
  promptOf,
  type AnyRow,
  type Format,
  type Message,
  type PreferenceRow,
  type RlvrRow,
  type Role,
  type RowOf,
  type SftRow,
  type TextRow,
  type VerifierName,
} from "./formats.js";
export { rowSchema, type FieldProblem } from "./schemas.js";
export { contentId, normalizeRow, type Normalized } from "./normalize.js";
export { detectFormat, parseLine, readAll, readJsonl, toJsonl, validateFile, writeJsonl, type JsonlStream, type ReadOptions, type ReadStats } from "./jsonl.js";
export { ifevalGroundTruth, lastUserTurn, parseIfevalGroundTruth, verifierSpec, type VerifierSpec } from "./spec.js";
export {
  batchIndices,
  chunkTokens,
  epochOrder,
  indexCursor,
  packExamples,
  padBatch,
  type Batch,
  type IndexBatch,
  type IndexCursor,
  type Position,
  type TokenizedExample,
} from "./batching.js";
export {
  ContaminationIndex,
  normalizeForLeakage,
  summarizeContamination,
  words,
  type ContaminationSummary,
  type EvalPrompt,
  type PromptOverlap,
} from "./contamination.js";
export * as world from "./world/index.js";
