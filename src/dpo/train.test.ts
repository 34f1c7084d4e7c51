import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { initBackend } from "../engine/index.js";
import { Olmo2Model, configFromPreset } from "../model/index.js";
import { readMetrics } from "../train/index.js";
import { cachedReferenceLogps, computePairLogps, referenceCacheKey, REFERENCE_CACHE_FILE, type ReferenceKeyInputs } from "./reference.js";
import { dpoConfig, PAIRS, quietHost } from "./test-helpers.js";
import { trainDpo } from "./train.js";

const root = mkdtempSync(join(tmpdir(), "posttrain-dpo-"));
const refDir = join(root, "reference");
const tokDir = join(root, "tokenizer");
const dataFile = join(root, "train.jsonl");
const evalFile = join(root, "eval.jsonl");
// Six training pairs (the fixture twice) and the fixture as held-out pairs; micro models learn them in a few steps.
const TRAIN = [...PAIRS, ...PAIRS.map((p) => ({ ...p, id: `${p.id}2` }))];
const CONFIG = dpoConfig({ loss_type: "sigmoid", beta: 0.5, lr: 1e-2, batch_size: 2, gradient_accumulation_steps: 1, epochs: 2, eval_every: 2, warmup_ratio: 0 });

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const folderHashes = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, sha(join(dir, f))]));
const snapshot = (model: Olmo2Model) => new Map([...model.weights].map(([name, v]) => [name, Array.from(v.dataSync())]));
const maxDiff = (a: Map<string, number[]>, b: Map<string, number[]>) =>
  Math.max(...[...a].map(([name, xs]) => Math.max(...xs.map((x, i) => Math.abs(x - b.get(name)![i]!)))));

beforeAll(async () => {
  await initBackend("wasm");
  await saveModel(refDir, Olmo2Model.init(configFromPreset("micro"), 21));
  mkdirSync(tokDir);
  writeFileSync(join(tokDir, "tokenizer.json"), '{"stand-in": true}');
  writeFileSync(join(tokDir, "tokenizer_config.json"), '{"chat_template": "x"}');
  // The pairs are given tokenized; these files only feed the cache key.
  writeFileSync(dataFile, "train rows\n");
  writeFileSync(evalFile, "eval rows\n");
});

const keyInputs = (over: Partial<ReferenceKeyInputs> = {}): ReferenceKeyInputs => ({
  dataFiles: [dataFile],
  evalFiles: [evalFile],
  modelDir: refDir,
  tokenizerDir: tokDir,
  maxLength: 256,
  maxPromptLength: 128,
  ...over,
});

/** The reference log-probs through the cache in `stageDir`, counting how often they were computed. */
async function cachedReference(stageDir: string, inputs = keyInputs()) {
  let computed = 0;
  const { key, parts } = await referenceCacheKey(inputs);
  const result = await cachedReferenceLogps({
    file: join(stageDir, REFERENCE_CACHE_FILE),
    key,
    parts,
    counts: { train: TRAIN.length, eval: PAIRS.length },
    compute: async () => {
      computed++;
      const model = await loadModel(refDir);
      const logps = { train: computePairLogps(model, TRAIN, 4, 1), eval: computePairLogps(model, PAIRS, 4, 1) };
      model.dispose();
      return logps;
    },
  });
  return { ...result, computed };
}

describe("reference log-prob cache", () => {
  it("computes once, then hits; a changed input misses", async () => {
    const stageDir = mkdtempSync(join(root, "cache-"));
    const first = await cachedReference(stageDir);
    expect([first.hit, first.computed]).toEqual([false, 1]);
    const second = await cachedReference(stageDir);
    expect([second.hit, second.computed]).toEqual([true, 0]);
    expect(second.logps).toEqual(first.logps);
    const longer = await cachedReference(stageDir, keyInputs({ maxLength: 512 }));
    expect([longer.hit, longer.computed]).toEqual([false, 1]);
    writeFileSync(join(stageDir, "other-eval.jsonl"), "different rows\n");
    const otherData = await cachedReference(stageDir, keyInputs({ evalFiles: [join(stageDir, "other-eval.jsonl")] }));
    expect(otherData.hit).toBe(false);
  });
});

describe("DPO training", () => {
  it("never changes the reference (weights or cache), changes the policy, and learns the held-out preferences", async () => {
    const stageDir = mkdtempSync(join(root, "cached-"));
    const { logps } = await cachedReference(stageDir);
    const refFilesBefore = folderHashes(refDir);
    const cacheBefore = sha(join(stageDir, REFERENCE_CACHE_FILE));
    const policy = await loadModel(refDir);
    const initial = snapshot(policy);

    const result = await trainDpo({ host: quietHost(stageDir), policy, reference: { kind: "cached", logps }, pairs: TRAIN, evalPairs: PAIRS, config: CONFIG, padId: 1, dataSeed: 3 });

    expect(folderHashes(refDir)).toEqual(refFilesBefore);
    expect(sha(join(stageDir, REFERENCE_CACHE_FILE))).toBe(cacheBefore);
    const reloaded = await loadModel(refDir);
    expect(computePairLogps(reloaded, TRAIN, 4, 1)).toEqual(logps.train);
    expect(maxDiff(snapshot(policy), initial)).toBeGreaterThan(1e-3);
    expect(maxDiff(snapshot(reloaded), initial)).toBe(0);
    reloaded.dispose();
    policy.dispose();

    // 6 pairs, batch 2, 2 epochs: 6 steps, each row with the train metrics, eval rows at steps 2, 4, 6.
    expect(result.steps).toBe(6);
    const rows = readMetrics(join(stageDir, "metrics.jsonl"));
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(["loss", "lr", "rewards/accuracies", "rewards/margins", "logps/chosen"]));
    expect(rows.filter((r) => "eval/rewards/accuracies" in r).map((r) => r.step)).toEqual([2, 4, 6]);
    // Step 1 starts at the reference: the sigmoid loss is log 2 on every pair.
    expect(rows[0]!.loss).toBeCloseTo(Math.LN2, 4);
    expect(result.eval["eval/rewards/accuracies"]).toBe(1);
    expect(result.eval["eval/rewards/margins"]).toBeGreaterThan(0);
    expect(result.eval["eval/loss"]).toBeLessThan(Math.LN2);
  });

  it("with a live frozen reference model: the reference's weights stay bit-identical and the losses match the cached run", async () => {
    const cachedDir = mkdtempSync(join(root, "again-"));
    const { logps } = await cachedReference(cachedDir);
    const cachedPolicy = await loadModel(refDir);
    await trainDpo({ host: quietHost(cachedDir), policy: cachedPolicy, reference: { kind: "cached", logps }, pairs: TRAIN, evalPairs: PAIRS, config: CONFIG, padId: 1, dataSeed: 3 });

    const liveDir = mkdtempSync(join(root, "live-"));
    const reference = await loadModel(refDir);
    const before = snapshot(reference);
    const policy = await loadModel(refDir);
    const config = { ...CONFIG, precompute_ref_log_probs: false };
    await trainDpo({ host: quietHost(liveDir), policy, reference: { kind: "live", model: reference }, pairs: TRAIN, evalPairs: PAIRS, config, padId: 1, dataSeed: 3 });

    expect(maxDiff(snapshot(reference), before)).toBe(0);
    expect(maxDiff(snapshot(policy), before)).toBeGreaterThan(1e-3);
    const losses = (dir: string) => readMetrics(join(dir, "metrics.jsonl")).map((r) => r.loss as number);
    losses(liveDir).forEach((l, i) => expect(l).toBeCloseTo(losses(cachedDir)[i]!, 4));
    expect(maxDiff(snapshot(policy), snapshot(cachedPolicy))).toBeLessThan(1e-4);
    for (const m of [reference, policy, cachedPolicy]) m.dispose();
  });

  it("continues an interrupted run from its last checkpoint with the metrics and weights of an uninterrupted one", async () => {
    const config = { ...CONFIG, checkpoint_every: 2 };
    const fullDir = mkdtempSync(join(root, "full-"));
    const { logps } = await cachedReference(fullDir);
    const full = await loadModel(refDir);
    await trainDpo({ host: quietHost(fullDir), policy: full, reference: { kind: "cached", logps }, pairs: TRAIN, evalPairs: PAIRS, config, padId: 1, dataSeed: 3 });

    // Killed during step 5 (one micro-batch per step): checkpoints exist for steps 2 and 4.
    const cutDir = mkdtempSync(join(root, "cut-"));
    let trainBatches = 0;
    const dying = {
      eval: logps.eval,
      get train() {
        if (++trainBatches === 5) throw new Error("killed at step 5");
        return logps.train;
      },
    };
    const first = await loadModel(refDir);
    await expect(
      trainDpo({ host: quietHost(cutDir), policy: first, reference: { kind: "cached", logps: dying }, pairs: TRAIN, evalPairs: PAIRS, config, padId: 1, dataSeed: 3 }),
    ).rejects.toThrow(/killed at step 5/);
    first.dispose();
    const resumed = await loadModel(refDir);
    const lines: string[] = [];
    await trainDpo({ host: quietHost(cutDir, true, (line) => lines.push(line)), policy: resumed, reference: { kind: "cached", logps }, pairs: TRAIN, evalPairs: PAIRS, config, padId: 1, dataSeed: 3 });

    expect(lines.join("\n")).toMatch(/resumed from .* at step 4/);
    const want = readMetrics(join(fullDir, "metrics.jsonl"));
    const got = readMetrics(join(cutDir, "metrics.jsonl"));
    expect(got.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    got.forEach((row, i) => {
      for (const [key, value] of Object.entries(want[i]!)) {
        if (key !== "tokens_per_s") expect([key, row[key]]).toEqual([key, expect.closeTo(value as number, 6)]);
      }
    });
    expect(maxDiff(snapshot(resumed), snapshot(full))).toBe(0);
    full.dispose();
    resumed.dispose();
  });
});
