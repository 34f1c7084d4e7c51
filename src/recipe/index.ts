/** Recipes: the schema, loading with overrides, validation, and the run folder with its manifest. */
export { RECIPE_SCHEMA, BACKENDS } from "./schema.js";
export { deriveSeed } from "./seeds.js";
export {
  newManifest,
  readManifest,
  writeManifest,
  writeJsonAtomic,
  sha256File,
  hashInputs,
  gitInfo,
  packageVersion,
  type Manifest,
  type StageRecord,
} from "./manifest.js";
export { STAGE_KINDS, STAGE_SCHEMAS, LR_SCHEDULES } from "./schema-stages.js";
export { loadRecipe, recipeFromObject, recipeInputs, type LoadOptions } from "./load.js";
export { recipeIssues, stageWithDefaults, type RecipeIssue } from "./validate.js";
export type * from "./types.js";
export {
  saveTrainingCheckpoint,
  loadTrainingCheckpoint,
  hasTrainingCheckpoint,
  assignWeights,
  type TrainerState,
} from "./resume.js";
export { trainWithCheckpoints, lossAndGrads, type DataCursor, type TrainingHost, type TrainingOptions } from "./training.js";
export type * from "./stage.js";
