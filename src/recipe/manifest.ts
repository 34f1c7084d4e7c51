/**
 * manifest.json: what a run ran, so it can be audited and repeated. The resolved recipe (defaults filled,
 * paths absolute), the package version, the git commit when the package sits in a git checkout, the SHA-256
 * of every input file, the seeds, the backend, and start/end times per stage. Rewritten atomically (temp file
 * + rename) each time a stage starts or ends, so a killed run leaves a complete, parseable manifest.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PosttrainError } from "../errors.js";
import { recipeInputs } from "./load.js";
import type { Recipe } from "./types.js";

export interface StageRecord {
  name: string;
  kind: string;
  dir: string;
  seed: number;
  started_at: string | null;
  finished_at: string | null;
  status: "pending" | "running" | "done" | "failed";
  /** The backend this stage ran on (a resumed run may continue on another). */
  backend: string | null;
  summary: Record<string, unknown> | null;
  /** The error that stopped the stage, when status is "failed". */
  error?: string;
}

export interface Manifest {
  posttrain_version: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  node_version: string;
  created_at: string;
  recipe_file: string;
  backend: string;
  seed: number;
  /** SHA-256 of every input file, keyed by absolute path (folders: every file inside, path/file). */
  inputs: Record<string, string>;
  recipe: Recipe;
  stages: StageRecord[];
}

/** SHA-256 of a file, streamed so large data files are not loaded whole. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Hashes of every input file of the recipe; a folder input (model.path, tokenizer.path) hashes each file in it. */
export async function hashInputs(recipe: Recipe): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { path } of recipeInputs(recipe)) {
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .sort()
          .map((f) => join(path, f))
          .filter((f) => statSync(f).isFile())
      : [path];
    for (const file of files) out[file] = await sha256File(file);
  }
  return out;
}

/** The package root (dist/recipe/ or src/recipe/ -> two levels up). */
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The version in the package's own package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string }).version;
}

/** The commit of the git checkout holding this package, or null (installed from npm, git missing). */
export function gitInfo(): { commit: string | null; dirty: boolean | null } {
  const packageDir = PACKAGE_DIR;
  const git = (args: string[]) => spawnSync("git", args, { cwd: packageDir, encoding: "utf8", timeout: 5000 });
  const head = git(["rev-parse", "HEAD"]);
  if (head.status !== 0) return { commit: null, dirty: null };
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return { commit: head.stdout.trim(), dirty: status.status === 0 ? status.stdout.trim() !== "" : null };
}

/** Write JSON atomically: a reader (or a kill -9) never sees a half-written file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, file);
}

export function readManifest(runDir: string): Manifest {
  const file = join(runDir, "manifest.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch (err) {
    throw new PosttrainError(`${file}: cannot read the run manifest: ${(err as Error).message}`);
  }
}

export function writeManifest(runDir: string, manifest: Manifest): void {
  writeJsonAtomic(join(runDir, "manifest.json"), manifest);
}

export interface NewManifestOptions {
  recipe: Recipe;
  recipeFile: string;
  backend: string;
  stageSeeds: number[];
  stageDirs: string[];
}

export async function newManifest(o: NewManifestOptions): Promise<Manifest> {
  const git = gitInfo();
  return {
    posttrain_version: packageVersion(),
    git_commit: git.commit,
    git_dirty: git.dirty,
    node_version: process.version,
    created_at: new Date().toISOString(),
    recipe_file: o.recipeFile,
    backend: o.backend,
    seed: o.recipe.seed,
    inputs: await hashInputs(o.recipe),
    recipe: o.recipe,
    stages: o.recipe.stages.map((s, i) => ({
      name: s.name,
      kind: s.kind,
      dir: o.stageDirs[i]!,
      seed: o.stageSeeds[i]!,
      started_at: null,
      finished_at: null,
      status: "pending",
      backend: null,
      summary: null,
    })),
  };
}
