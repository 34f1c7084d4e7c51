import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveModel } from "../checkpoint/index.js";
import { readAll, toJsonl } from "../data/index.js";
import { initBackend } from "../engine/index.js";
import { Olmo2Model, configFromPreset, tokenLogprobs } from "../model/index.js";
import { lossAndGrads } from "../recipe/index.js";
import { trainTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { AdamW } from "../train/index.js";
import { verify } from "../verifiers/index.js";

const CLI = path.resolve("dist/cli/main.js");
const dir = mkdtempSync(path.join(tmpdir(), "posttrain-prefs-"));
const modelDir = path.join(dir, "model");
const dataFile = path.join(dir, "rlvr.jsonl");

function posttrain(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const QUESTIONS = ["How many apples?", "How many coins?", "How many books?"];

/**
 * A micro model taught (a few dozen full-batch steps on the assistant tokens) to answer every question
 * with "#### 7" or "#### 8" about equally often, then EOS: sampled at temperature 1, each prompt gets
 * correct and incorrect completions for a ground truth of 7.
 */
async function coinFlipModel(tokenizer: Tokenizer): Promise<Olmo2Model> {
  const config = configFromPreset("micro", { vocab_size: tokenizer.vocabSize, eos_token_id: tokenizer.eosId, pad_token_id: tokenizer.padId });
  const model = Olmo2Model.init(config, 4);
  const rows = QUESTIONS.flatMap((q) => ["#### 7", "#### 8"].map((a) => tokenizer.encodeChat([{ role: "user", content: q }, { role: "assistant", content: a }])));
  const t = Math.max(...rows.map((r) => r.input_ids.length));
  const pad = (xs: number[], v: number) => [...xs, ...new Array<number>(t - xs.length).fill(v)];
  const ids = rows.map((r) => pad(r.input_ids, tokenizer.padId));
  const mask = rows.map((r) => pad(r.assistant_mask, 0).slice(1));
  const optimizer = new AdamW(model.weights, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
  for (let step = 0; step < 60; step++) {
    const { grads } = lossAndGrads(model, () =>
      tf.tidy(() => {
        const inputs = tf.tensor2d(ids.map((r) => r.slice(0, t - 1)), undefined, "int32");
        const targets = tf.tensor2d(ids.map((r) => r.slice(1)), undefined, "int32");
        const m = tf.tensor2d(mask);
        return tf.neg(tf.div(tf.sum(tf.mul(tokenLogprobs(model.forward(inputs), targets), m)), tf.sum(m))) as tf.Scalar;
      }),
    );
    optimizer.step(grads, 1e-2);
    tf.dispose([...grads.values()]);
  }
  optimizer.dispose();
  return model;
}

beforeAll(async () => {
  await initBackend("wasm");
  const texts = [...QUESTIONS, "#### 7", "#### 8", "#### 9"];
  const tokenizer = await trainTokenizer(texts, { vocabSize: 300, minFrequency: 1 });
  const model = await coinFlipModel(tokenizer);
  await saveModel(modelDir, model, { tokenizer });
  model.dispose();
  const rlvr = QUESTIONS.map((q, i) => ({ id: `q${i}`, messages: [{ role: "user", content: q }], ground_truth: "7", dataset: "gsm8k" }));
  // The model never says 9: every sample is wrong, so this prompt yields no pair.
  rlvr.push({ id: "never", messages: [{ role: "user", content: QUESTIONS[0]! }], ground_truth: "9", dataset: "gsm8k" });
  writeFileSync(dataFile, toJsonl(rlvr));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

describe("posttrain prefs", () => {
  it("writes verifier-ranked pairs in the preference format, reproducibly", async () => {
    const out = path.join(dir, "pairs.jsonl");
    const args = ["prefs", "--model", modelDir, "--data", dataFile, "--n", "6", "--out", out, "--max-new-tokens", "10", "--seed", "3", "--backend", "wasm"];
    const run = posttrain(...args);
    expect(run.code, run.stderr).toBe(0);
    const counts = JSON.parse(run.stdout.trim());
    expect(counts).toMatchObject({ out, prompts: 4, samples: 24, allIncorrect: expect.any(Number) });
    expect(counts.allIncorrect).toBeGreaterThanOrEqual(1);
    const pairs = await readAll(out, "preference");
    expect(pairs.length).toBe(counts.pairs);
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    expect(pairs.map((p) => p.id)).not.toContain("never/onpolicy");
    for (const pair of pairs) {
      const answer = (turns: typeof pair.chosen) => turns[turns.length - 1]!.content;
      expect(pair.chosen.slice(0, -1)).toEqual(pair.rejected.slice(0, -1));
      expect(verify("gsm8k", answer(pair.chosen), { ground_truth: "7" }).correct).toBe(true);
      expect(verify("gsm8k", answer(pair.rejected), { ground_truth: "7" }).correct).toBe(false);
    }
    const first = readFileSync(out, "utf8");
    expect(posttrain(...args).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(first);
  });

  it("--limit takes the first K prompts; bad arguments exit 2 with the usage", () => {
    const out = path.join(dir, "limited.jsonl");
    const run = posttrain("prefs", "--model", modelDir, "--data", dataFile, "--out", out, "--limit", "1", "--n", "2", "--max-new-tokens", "6", "--backend", "wasm");
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ prompts: 1, samples: 2 });
    const bad = posttrain("prefs", "--model", modelDir, "--data", dataFile, "--out", out, "--n", "1");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--n has an invalid value/);
    expect(posttrain("prefs", "--data", dataFile, "--out", out).stderr).toMatch(/--model is required/);
  });
});
