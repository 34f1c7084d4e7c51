/**
 * `posttrain validate` and `posttrain run` as a user runs them (the built CLI in a subprocess) on the micro
 * recipe: the run folder's layout and manifest, and kill -9 at two moments followed by --resume, whose
 * losses must equal an uninterrupted run's exactly.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli as cli } from "./cli-process.js";
import { microRecipe, removeMicroWorlds, writeMicroWorld, writeRecipe } from "./recipes-fixture.js";

function metricsOf(file: string): { step: number; loss: number; lr: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { step: number; loss: number; lr: number }];
      } catch {
        return []; // a line torn by the kill
      }
    });
}

/** Start a run and kill -9 it as soon as `file` has at least `rows` metrics rows. */
async function runAndKill(args: string[], file: string, rows: number): Promise<void> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  for (;;) {
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);
    if (done) throw new Error(`the run ended before ${file} had ${rows} rows`);
    if (metricsOf(file).length >= rows) break;
  }
  child.kill("SIGKILL");
  await exited;
}

let world: string;
let recipeFile: string;
let reference: string;

beforeAll(async () => {
  world = writeMicroWorld();
  recipeFile = writeRecipe(world, microRecipe({ pretrainSteps: 16, sftSteps: 16 }));
  reference = join(world, "run-reference");
  const r = await cli(["run", recipeFile, "--out", reference]);
  if (r.code !== 0) throw new Error(`reference run failed:\n${r.stderr}`);
}, 300_000);

afterAll(removeMicroWorlds);

describe("posttrain validate", () => {
  it("accepts a valid recipe and prints its stages", async () => {
    const r = await cli(["validate", recipeFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok: ");
    expect(r.stdout).toContain("pretrain (pretrain), sft (sft), eval (eval), export (export)");
  });

  it("lists every problem with its path and exits 1", async () => {
    const bad = microRecipe();
    (bad.stages as Record<string, unknown>[])[1]!.reduce = "median";
    (bad.stages as Record<string, unknown>[])[0]!.stepz = 3;
    const r = await cli(["validate", writeRecipe(world, bad, "bad.yaml"), "--set", "seed=-1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("3 problem(s)");
    expect(r.stderr).toContain("seed: must be >= 0");
    expect(r.stderr).toContain("stages.pretrain.stepz: unknown key 'stepz'");
    expect(r.stderr).toContain("stages.sft.reduce: must be one of: sum, mean");
  });
});

describe("posttrain run", () => {
  it("writes the run folder: manifest, tokenizer, one folder per stage with model, metrics, log and .done", () => {
    const manifest = JSON.parse(readFileSync(join(reference, "manifest.json"), "utf8"));
    expect(manifest.posttrain_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.backend).toBe("wasm");
    expect(manifest.recipe.stages[1].reduce).toBe("mean"); // the resolved recipe, defaults filled
    expect(Object.keys(manifest.inputs).map((p: string) => p.split("/").pop()).sort()).toEqual(["rlvr.jsonl", "sft.jsonl", "text.jsonl"]);
    expect(Object.values(manifest.inputs).every((h) => /^[0-9a-f]{64}$/.test(h as string))).toBe(true);
    expect(manifest.stages.map((s: { status: string }) => s.status)).toEqual(["done", "done", "done", "done"]);
    expect(manifest.stages.every((s: { started_at: string; finished_at: string }) => s.started_at <= s.finished_at)).toBe(true);
    expect(readdirSync(reference)).toEqual(
      expect.arrayContaining(["01-pretrain", "02-sft", "03-eval", "04-export", "manifest.json", "start", "tokenizer"]),
    );
    for (const stage of ["01-pretrain", "02-sft"]) {
      for (const file of ["model/config.json", "model/model.safetensors", "model/tokenizer.json", "metrics.jsonl", "log.txt", ".done"]) {
        expect(existsSync(join(reference, stage, file)), `${stage}/${file}`).toBe(true);
      }
    }
    expect(metricsOf(join(reference, "01-pretrain", "metrics.jsonl")).map((r) => r.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const results = JSON.parse(readFileSync(join(reference, "03-eval", "results.json"), "utf8"));
    expect(results.sets.gsm.n).toBe(2);
    expect(readFileSync(join(reference, "03-eval", "generations.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    const card = readFileSync(join(reference, "04-export", "model", "README.md"), "utf8");
    expect(card).toContain("## Evaluation");
    expect(card).toContain("| eval | 02-sft |");
    expect(existsSync(join(reference, "04-export", "model", "tokenizer_config.json"))).toBe(true);
  });

  it("refuses to overwrite a run folder without --resume", async () => {
    const r = await cli(["run", recipeFile, "--out", reference]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already holds a run: pass --resume");
  });

  it("after kill -9 in pretrain and again in sft, --resume ends with the uninterrupted run's losses", async () => {
    // On the default wasm backend: every kernel, the native matmul's two-thread split included, must give the
    // same bits in a fresh process as in the one that was killed.
    const uninterrupted = reference;
    const out = join(world, "run-killed");
    await runAndKill(["run", recipeFile, "--out", out], join(out, "01-pretrain", "metrics.jsonl"), 5);
    expect(existsSync(join(out, "01-pretrain", ".done"))).toBe(false);
    await runAndKill(["run", recipeFile, "--out", out, "--resume"], join(out, "02-sft", "metrics.jsonl"), 5);
    expect(existsSync(join(out, "02-sft", ".done"))).toBe(false);
    const r = await cli(["run", recipeFile, "--out", out, "--resume"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("[pretrain] already done, skipped");
    expect(r.stderr).toMatch(/\[sft\] resumed from .* at step \d+/);
    for (const stage of ["01-pretrain", "02-sft"]) {
      const expected = metricsOf(join(uninterrupted, stage, "metrics.jsonl")).map(({ step, loss, lr }) => ({ step, loss, lr }));
      const got = metricsOf(join(out, stage, "metrics.jsonl")).map(({ step, loss, lr }) => ({ step, loss, lr }));
      expect(got).toEqual(expected);
    }
    const a = readFileSync(join(uninterrupted, "02-sft", "model", "model.safetensors"));
    const b = readFileSync(join(out, "02-sft", "model", "model.safetensors"));
    expect(b.equals(a)).toBe(true);
  });

  it("refuses to resume with a changed recipe, naming the changed field", async () => {
    const r = await cli(["run", recipeFile, "--out", reference, "--resume", "--set", "stages.sft.lr=0.5"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stages.1.lr: differs from the recipe in");
  });

  it("refuses to resume when an input file changed, naming it", async () => {
    const other = writeMicroWorld();
    const file = writeRecipe(other, microRecipe({ pretrainSteps: 1, sftSteps: 1 }));
    const out = join(other, "run");
    expect((await cli(["run", file, "--out", out])).code).toBe(0);
    appendFileSync(join(other, "text.jsonl"), JSON.stringify({ id: "new", text: "A new line.", source: "micro" }) + "\n");
    const r = await cli(["run", file, "--out", out, "--resume"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("input files changed since it started");
    expect(r.stderr).toContain(join(other, "text.jsonl"));
  });
});
