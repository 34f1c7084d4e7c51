/** Recipes: the schema, loading with overrides, validation, and the run folder with its manifest. */
export { RECIPE_SCHEMA } from "./schema.js";
export { STAGE_KINDS, STAGE_SCHEMAS, LR_SCHEDULES } from "./schema-stages.js";
export { loadRecipe, recipeFromObject, recipeInputs, type LoadOptions } from "./load.js";
export { recipeIssues, type RecipeIssue } from "./validate.js";
export type * from "./types.js";
