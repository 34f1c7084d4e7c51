import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveModel } from "../checkpoint/index.js";
import { readAll, toJsonl } from "../data/index.js";
import { initBackend } from "../engine/index.js";
import { coinFlipModel } from "../recipe/test-helpers.js";
import { trainTokenizer } from "../tokenizer/index.js";
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

beforeAll(async () => {
  await initBackend("wasm");
  const texts = [...QUESTIONS, "#### 7", "#### 8", "#### 9"];
  const tokenizer = await trainTokenizer(texts, { vocabSize: 300, minFrequency: 1 });
  const model = await coinFlipModel(tokenizer, QUESTIONS);
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
