/**
 * The rlvr runner end to end on a micro model taught to answer "#### 7" or "#### 8" about equally often: GRPO
 * and PPO stages run, write their metrics, held-out scores and model, and a resumed run continues exactly.
 * Uses the verifier worker pool (dist/verifiers/worker.js, built by the global setup).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { toJsonl } from "../data/index.js";
import { initBackend } from "../engine/index.js";
import type { Recipe, RlvrStage, StageContext } from "../recipe/index.js";
import { coinFlipModel } from "../recipe/test-helpers.js";
import { trainTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { MetricsWriter, Progress, readMetrics } from "../train/index.js";
import { runRlvr } from "./run.js";
import { rlvrConfig } from "./test-helpers.js";

const root = mkdtempSync(join(tmpdir(), "posttrain-rlvr-"));
const modelDir = join(root, "model");
const tokenizerDir = join(root, "tokenizer");
const trainFile = join(root, "train.jsonl");
const evalFile = join(root, "eval.jsonl");
const QUESTIONS = ["How many apples?", "How many coins?", "How many books?", "How many pens?"];

/** A few dozen full-batch SFT steps: every question answered "#### 7" or "#### 8", then EOS. */
function context(stageDir: string, resume = false): StageContext {
  mkdirSync(stageDir, { recursive: true });
  return {
    runDir: root,
    stageDir,
    stageName: "rlvr",
    stageIndex: 0,
    seed: 17,
    backend: "wasm",
    inputModelDir: modelDir,
    tokenizerDir,
    resume,
    recipe: { seed: 5 } as Recipe,
    previous: new Map(),
    log: () => {},
    openMetrics: (after) => new MetricsWriter(join(stageDir, "metrics.jsonl"), after === undefined ? {} : { resumeAfterStep: after }),
    progress: (total) => new Progress({ total, label: "rlvr", write: () => {}, isTTY: false }),
  };
}

const config = (over: Partial<RlvrStage>) =>
  rlvrConfig({ data: [trainFile], eval_data: [evalFile], prompts_per_step: 2, max_response_length: 6, lr: 3e-3, eval_every: 2, ...over });

beforeAll(async () => {
  await initBackend("wasm");
  const tokenizer = await trainTokenizer([...QUESTIONS, "#### 7", "#### 8"], { vocabSize: 300, minFrequency: 1 });
  await tokenizer.save(tokenizerDir);
  const model = await coinFlipModel(tokenizer, QUESTIONS);
  await saveModel(modelDir, model, { tokenizer });
  model.dispose();
  const rows = QUESTIONS.map((q, i) => ({ id: `q${i}`, messages: [{ role: "user", content: q }], ground_truth: "7", dataset: "gsm8k" }));
  writeFileSync(trainFile, toJsonl(rows));
  writeFileSync(evalFile, toJsonl(rows.slice(0, 2)));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("runRlvr", () => {
  it("GRPO: metrics per step, held-out accuracy before and after, the model, and an exact resume", async () => {
    const stageDir = join(root, "grpo");
    const grpo = config({ steps: 3, checkpoint_every: 1, num_iterations: 2 });
    const result = await runRlvr(context(stageDir), grpo);
    const rows = readMetrics(join(stageDir, "metrics.jsonl"));
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    expect(rows[0]).toHaveProperty("eval/gsm8k_accuracy");
    for (const key of ["reward_mean", "reward_std", "accuracy/gsm8k", "kl", "clip_ratio/region_mean", "entropy", "response_length_mean", "truncated_share", "rollout_tokens_per_s", "train_tokens_per_s", "verifier_timeouts"]) {
      expect(rows[3], key).toHaveProperty(key);
    }
    expect(rows[2]).toHaveProperty("eval/gsm8k_accuracy");
    expect(rows[3]!.updates).toBe(2);
    const heldout = JSON.parse(readFileSync(join(stageDir, "heldout.json"), "utf8"));
    expect(heldout.before.n).toBe(2);
    const generations = readFileSync(join(stageDir, "heldout-after.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(generations.map((g) => g.id)).toEqual(["q0", "q1"]);
    expect(existsSync(join(stageDir, "heldout-before.jsonl"))).toBe(true);
    expect(result.summary).toMatchObject({ algorithm: "grpo", steps: 3 });
    expect(result.summary).toHaveProperty("after/gsm8k");
    expect(existsSync(join(result.modelDir!, "model.safetensors"))).toBe(true);

    // The checkpoint of step 2 is still there: resuming recomputes step 3 exactly as the uninterrupted run did.
    const finished = await loadModel(result.modelDir!);
    const again = join(root, "grpo-resumed");
    cpSync(join(stageDir, "checkpoint"), join(again, "checkpoint"), { recursive: true });
    cpSync(join(stageDir, "metrics.jsonl"), join(again, "metrics.jsonl"));
    const resumed = await runRlvr(context(again, true), grpo);
    const resumedModel = await loadModel(resumed.modelDir!);
    for (const [name, v] of finished.weights) expect(resumedModel.weights.get(name)!.dataSync(), name).toEqual(v.dataSync());
    const resumedRows = readMetrics(join(again, "metrics.jsonl"));
    expect(resumedRows.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    expect(resumedRows[3]!.reward_mean).toBe(rows[3]!.reward_mean);
    finished.dispose();
    resumedModel.dispose();
  });

  it("beta 0 with active sampling: no reference kept, KL measured at eval steps, only groups with signal trained", async () => {
    const stageDir = join(root, "grpo-beta0");
    // no_resampling_pass_rate 0.25: a prompt with one correct sample in four is not drawn again.
    const over = { steps: 2, beta: 0, eval_every: 2, eval_data: null, filter_zero_std_samples: true, active_sampling: true, max_num_gen_batches: 3, no_resampling_pass_rate: 0.25 };
    await runRlvr(context(stageDir), config(over));
    const rows = readMetrics(join(stageDir, "metrics.jsonl"));
    expect(rows.map((r) => r.step)).toEqual([1, 2]);
    expect(rows[0]).not.toHaveProperty("kl");
    expect(rows[1]!.kl).toBeGreaterThanOrEqual(0);
    for (const row of rows) {
      expect(row.sampling_rounds).toBeGreaterThanOrEqual(1);
      expect(row.sampling_rounds).toBeLessThanOrEqual(3);
      expect(row.groups_trained).toBeLessThanOrEqual(2);
      // A round that kept fewer than 2 groups must have been followed by another, up to the bound.
      if (Number(row.groups_trained) < 2) expect(row.sampling_rounds).toBe(3);
    }
    // The coin-flip model answers 7 half the time: after the first step some of the 4 prompts are retired.
    expect(rows[0]!.prompts_excluded).toBeGreaterThan(0);
    expect(rows[1]!.prompts_excluded).toBeGreaterThanOrEqual(Number(rows[0]!.prompts_excluded));
    expect(rows[1]!.prompts_excluded).toBeLessThanOrEqual(4);
  });

  it("PPO: one sample per prompt, value metrics, a value checkpoint beside the policy's", async () => {
    const stageDir = join(root, "ppo");
    const result = await runRlvr(context(stageDir), config({ algorithm: "ppo", steps: 2, checkpoint_every: 1, num_ppo_epochs: 2, eval_data: null }));
    const rows = readMetrics(join(stageDir, "metrics.jsonl"));
    expect(rows.map((r) => r.step)).toEqual([1, 2]);
    expect(rows[1]).toHaveProperty("value_loss");
    expect(rows[1]).toHaveProperty("val/clipfrac");
    expect(rows[1]!.response_length_mean).toBeGreaterThan(0);
    expect(existsSync(join(stageDir, "checkpoint-value", "trainer_state.json"))).toBe(true);
    expect(result.summary).toMatchObject({ algorithm: "ppo" });
  });
});
