/**
 * The stage interface: what every stage runner (pretrain, anneal, soup, sft, dpo, rlvr, eval, export) receives
 * and returns. A runner is a plain async function, not a class: the orchestrator (src/stages/run-recipe.ts)
 * prepares the folder, the context and the bookkeeping (manifest times, `.done` marker, result.json); the
 * runner only does its algorithm and writes into `ctx.stageDir`.
 *
 * Conventions every runner follows:
 * - The output model (when the stage produces one) is an HF-format folder at `join(ctx.stageDir, "model")`,
 *   written with the checkpoint module's saveModel, and returned as `StageResult.modelDir`.
 * - Training stages checkpoint into `join(ctx.stageDir, "checkpoint")` every `checkpoint_every` steps (model,
 *   optimizer moments, step, RNG state, data position; see src/recipe/resume.ts). When `ctx.resume` is true
 *   and that checkpoint exists, the runner continues from it and opens its metrics with
 *   `ctx.openMetrics(step)`, which drops rows logged after that checkpoint, so the file ends as an
 *   uninterrupted run would have written it.
 * - Everything random derives from `ctx.seed` (and the stage's own data_seed), never from the clock.
 * - Human-readable lines go through `ctx.log` (stageDir/log.txt, and the terminal); numbers per step go
 *   through the metrics writer (stageDir/metrics.jsonl); the bar through `ctx.progress`.
 */
import type { MetricsWriter, Progress } from "../train/index.js";
import type { Recipe, StageConfigs, StageKind } from "./types.js";

/** A finished earlier stage, as later stages (soup, export, eval tables) see it. */
export interface CompletedStage {
  name: string;
  kind: StageKind;
  stageDir: string;
  /** Its output model folder, or null for stages that make none (eval). */
  modelDir: string | null;
  summary: Record<string, unknown>;
}

export interface StageContext {
  /** The run folder (manifest.json, tokenizer/, NN-name/ stage folders). */
  runDir: string;
  /** This stage's folder, `runDir/NN-name`, already created. */
  stageDir: string;
  stageName: string;
  /** 0-based position in recipe.stages. */
  stageIndex: number;
  /** This stage's seed: derived from the recipe seed and the stage name, so renaming or reordering is explicit. */
  seed: number;
  /** The TensorFlow.js backend in use (already initialised). */
  backend: string;
  /** The HF-format model folder this stage starts from (the `from` stage's model, or the start model). */
  inputModelDir: string;
  /** The run's tokenizer folder (tokenizer.json + tokenizer_config.json with the chat template). */
  tokenizerDir: string;
  /** True when the run was started with --resume: continue from `stageDir/checkpoint` if it exists. */
  resume: boolean;
  /** The whole resolved recipe (export writes it into the model card). */
  recipe: Recipe;
  /** Earlier finished stages by name, in run order. */
  previous: ReadonlyMap<string, CompletedStage>;
  /** One human-readable line into stageDir/log.txt and the terminal. */
  log(line: string): void;
  /**
   * The stage's metrics.jsonl writer. Pass the step of the checkpoint being resumed from, so rows logged after
   * it (about to be recomputed) are dropped; omit it on a fresh start. The orchestrator closes it.
   */
  openMetrics(resumeAfterStep?: number): MetricsWriter;
  /** A progress bar for `total` steps (quiet when the terminal is not a TTY). */
  progress(total: number): Progress;
}

export interface StageResult {
  /** The output model folder (normally `stageDir/model`); later stages start from it. */
  modelDir?: string;
  /** Headline numbers (final loss, accuracies, ...), stored in result.json and the manifest. */
  summary?: Record<string, unknown>;
}

/** A stage runner: the algorithm behind one stage kind. */
export type StageRunner<K extends StageKind> = (ctx: StageContext, config: StageConfigs[K]) => Promise<StageResult>;

/** The table from kind to runner (src/stages/index.ts holds the one instance). */
export type StageTable = { [K in StageKind]: StageRunner<K> };
