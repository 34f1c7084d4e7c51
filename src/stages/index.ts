/**
 * Stages: the one table from a recipe stage `kind` to the runner that does it, and the orchestrator that
 * runs a recipe into a run folder. Adding a kind means a schema in src/recipe/schema-stages.ts, a config type
 * in src/recipe/types.ts and a line here; the `satisfies` below makes a missing runner a compile error.
 */
import { runDpo } from "../dpo/index.js";
import { runEval } from "../eval/index.js";
import { runRlvr } from "../rlvr/index.js";
import { runCausalLmStage } from "../pretrain/index.js";
import { runSft } from "../sft/index.js";
import { runExport } from "./export.js";
import { runStages, type RunOptions, type RunSummary } from "./run-recipe.js";
import { runSoup } from "./soup.js";
import type { StageTable } from "../recipe/index.js";

export const STAGE_RUNNERS = {
  pretrain: runCausalLmStage,
  anneal: runCausalLmStage,
  soup: runSoup,
  sft: runSft,
  dpo: runDpo,
  rlvr: runRlvr,
  eval: runEval,
  export: runExport,
} satisfies StageTable;

/** Run a validated recipe into `options.runDir` (see run-recipe.ts for the folder layout and resume rules). */
export function runRecipe(options: RunOptions): Promise<RunSummary> {
  return runStages(options, STAGE_RUNNERS);
}

export { stageDirName, type RunOptions, type RunSummary } from "./run-recipe.js";
export { averageTensors } from "./soup.js";
export { evalTable, modelCard } from "./export.js";
export type * from "../recipe/index.js";
