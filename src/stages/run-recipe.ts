/**
 * The orchestrator: turns a validated recipe into a run folder.
 *
 *   runDir/
 *     manifest.json          resolved recipe, version, git commit, input hashes, seeds, backend, stage times
 *     tokenizer/             trained (or copied) tokenizer, with the chat template
 *     start/model/           the starting model when it comes from a preset (else the recipe's folder is used)
 *     NN-name/               one folder per stage: model/, metrics.jsonl, log.txt, result.json, .done
 *
 * A stage with a `.done` marker is finished: on --resume it is skipped and its result.json read back. A stage
 * without one is (re)run; with --resume its runner continues from NN-name/checkpoint when there is one.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PosttrainError, RecipeError } from "../errors.js";
import { initBackend, type BackendName } from "../engine/index.js";
import {
  deriveSeed,
  hashInputs,
  newManifest,
  readManifest,
  writeJsonAtomic,
  writeManifest,
  type Recipe,
  type StageConfig,
} from "../recipe/index.js";
import { MetricsWriter, Progress } from "../train/index.js";
import { prepareStartModel, prepareTokenizer } from "./setup.js";
import type { CompletedStage, StageContext, StageResult, StageTable } from "../recipe/index.js";

export interface RunOptions {
  recipe: Recipe;
  recipeFile: string;
  runDir: string;
  resume: boolean;
  /** Overrides recipe.backend (the CLI's --backend). */
  backend?: BackendName;
  /** Where log lines and progress bars go (the CLI decides: stderr/stdout). */
  write: (text: string) => void;
  isTTY: boolean;
}

export interface RunSummary {
  runDir: string;
  backend: string;
  stages: CompletedStage[];
}

export function stageDirName(index: number, name: string): string {
  return `${String(index + 1).padStart(2, "0")}-${name}`;
}

/** Paths where a recipe on --resume differs from the one the run folder was started with. */
function recipeDifferences(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      recipeDifferences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return [path];
}

/** Input files whose SHA-256 differs from (or is missing in) the manifest's record. */
function changedInputs(recorded: Record<string, string>, now: Record<string, string>): string[] {
  const files = new Set([...Object.keys(recorded), ...Object.keys(now)]);
  return [...files].filter((f) => recorded[f] !== now[f]).sort();
}

/** The model a stage starts from: its `from`, else the latest earlier stage that made one, else the start model. */
function inputModelOf(stage: StageConfig, done: CompletedStage[], startModelDir: string): string {
  if (stage.from === "start") return startModelDir;
  if (stage.from !== null) {
    const source = done.find((d) => d.name === stage.from);
    if (!source?.modelDir) throw new PosttrainError(`stage ${stage.name}: stage '${stage.from}' produced no model`);
    return source.modelDir;
  }
  const latest = [...done].reverse().find((d) => d.modelDir !== null);
  return latest?.modelDir ?? startModelDir;
}

/** Run every stage of `o.recipe` with the runners of `runners` (src/stages/index.ts passes the real table). */
export async function runStages(o: RunOptions, runners: StageTable): Promise<RunSummary> {
  const { recipe, runDir } = o;
  const manifestFile = join(runDir, "manifest.json");
  const stageDirs = recipe.stages.map((s, i) => stageDirName(i, s.name));
  const stageSeeds = recipe.stages.map((s) => deriveSeed(recipe.seed, "stage", s.name));
  const backend = await initBackend(o.backend ?? recipe.backend);
  const say = (line: string) => o.write(line + "\n");

  let manifest;
  if (existsSync(manifestFile)) {
    if (!o.resume) throw new PosttrainError(`${runDir} already holds a run: pass --resume to continue it, or another --out`);
    manifest = readManifest(runDir);
    const diffs = recipeDifferences(manifest.recipe, recipe);
    if (diffs.length > 0) {
      throw new RecipeError(
        o.recipeFile,
        diffs.map((path) => ({ path, message: `differs from the recipe in ${manifestFile}; resume needs the same recipe` })),
      );
    }
    const changed = changedInputs(manifest.inputs, await hashInputs(recipe));
    if (changed.length > 0) {
      throw new PosttrainError(`cannot resume ${runDir}: input files changed since it started:\n  ${changed.join("\n  ")}`);
    }
    say(`resuming ${runDir}`);
    if (manifest.backend !== backend) {
      say(`note: this run started on the ${manifest.backend} backend and continues on ${backend}; losses may differ in the last digits`);
    }
  } else {
    mkdirSync(runDir, { recursive: true });
    manifest = await newManifest({ recipe, recipeFile: o.recipeFile, backend, stageSeeds, stageDirs });
    writeManifest(runDir, manifest);
  }

  const tokenizerDir = await prepareTokenizer(recipe, runDir, say);
  const startModelDir = await prepareStartModel(recipe, runDir, tokenizerDir, say);

  const done: CompletedStage[] = [];
  for (let i = 0; i < recipe.stages.length; i++) {
    const stage = recipe.stages[i]!;
    const stageDir = join(runDir, stageDirs[i]!);
    const record = manifest.stages[i]!;
    if (existsSync(join(stageDir, ".done"))) {
      const result = JSON.parse(readFileSync(join(stageDir, "result.json"), "utf8")) as CompletedStage;
      done.push(result);
      say(`[${stage.name}] already done, skipped`);
      continue;
    }
    mkdirSync(stageDir, { recursive: true });
    record.status = "running";
    record.started_at = new Date().toISOString();
    record.finished_at = null;
    record.backend = backend;
    delete record.error;
    writeManifest(runDir, manifest);

    const log = (line: string) => {
      appendFileSync(join(stageDir, "log.txt"), `${new Date().toISOString()} ${line}\n`);
      say(`[${stage.name}] ${line}`);
    };
    let metrics: MetricsWriter | null = null;
    const ctx: StageContext = {
      runDir,
      stageDir,
      stageName: stage.name,
      stageIndex: i,
      seed: stageSeeds[i]!,
      backend,
      inputModelDir: inputModelOf(stage, done, startModelDir),
      tokenizerDir,
      resume: o.resume,
      recipe,
      previous: new Map(done.map((d) => [d.name, d])),
      log,
      openMetrics(resumeAfterStep) {
        metrics?.close();
        metrics = new MetricsWriter(join(stageDir, "metrics.jsonl"), { resumeAfterStep: resumeAfterStep ?? 0 });
        return metrics;
      },
      progress: (total) => new Progress({ total, label: stage.name, write: o.write, isTTY: o.isTTY }),
    };
    log(`${stage.kind} from ${ctx.inputModelDir} (seed ${ctx.seed}, backend ${backend})`);
    let result: StageResult;
    try {
      // The table is typed per kind; the config's kind selects the runner, so the pair always matches.
      const runner = runners[stage.kind] as (c: StageContext, s: StageConfig) => Promise<StageResult>;
      result = await runner(ctx, stage);
    } catch (err) {
      record.status = "failed";
      record.error = (err as Error).message;
      writeManifest(runDir, manifest);
      log(`failed: ${(err as Error).message}`);
      throw err;
    } finally {
      (metrics as MetricsWriter | null)?.close();
    }
    const completed: CompletedStage = {
      name: stage.name,
      kind: stage.kind,
      stageDir,
      modelDir: result.modelDir ?? null,
      summary: result.summary ?? {},
    };
    writeJsonAtomic(join(stageDir, "result.json"), completed);
    writeFileSync(join(stageDir, ".done"), new Date().toISOString() + "\n");
    // The stage's model is final: its resumable checkpoint (weights + moments, ~3x the model) is not needed.
    for (const suffix of ["", ".old", ".tmp"]) rmSync(join(stageDir, `checkpoint${suffix}`), { recursive: true, force: true });
    record.status = "done";
    record.finished_at = new Date().toISOString();
    record.summary = completed.summary;
    writeManifest(runDir, manifest);
    log(`done: ${JSON.stringify(completed.summary)}`);
    done.push(completed);
  }
  return { runDir, backend, stages: done };
}
