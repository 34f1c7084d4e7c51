import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { initBackend } from "../engine/index.js";
import { configFromPreset, Olmo2Model } from "../model/index.js";
import { recipeFromObject } from "../recipe/index.js";
import { trainTokenizer } from "../tokenizer/index.js";
import { prepareStartModel } from "./setup.js";

let dir: string;
let modelDir: string;
let tokenizerDir: string;

beforeAll(async () => {
  await initBackend("cpu");
  dir = mkdtempSync(join(tmpdir(), "setup-"));
  const tokenizer = await trainTokenizer(["one two three four five six"], { vocabSize: 270 });
  tokenizerDir = join(dir, "tokenizer");
  await tokenizer.save(tokenizerDir);
  const model = Olmo2Model.init(configFromPreset("micro", { vocab_size: tokenizer.vocabSize }), 2);
  modelDir = join(dir, "base");
  await saveModel(modelDir, model, { tokenizer });
  model.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const recipeWith = (model: object) =>
  recipeFromObject(
    { model, tokenizer: { path: tokenizerDir }, stages: [{ kind: "export", name: "export" }] },
    join(dir, "r.yaml"),
  );

describe("prepareStartModel from an HF folder", () => {
  it("uses the folder as is without overrides", async () => {
    expect(await prepareStartModel(recipeWith({ path: modelDir }), join(dir, "run-a"), tokenizerDir, () => {})).toBe(modelDir);
  });

  it("applies shape-preserving overrides to a copy with the same weights", async () => {
    const recipe = recipeWith({ path: modelDir, overrides: { max_position_embeddings: 32, rope_theta: 10000 } });
    const start = await prepareStartModel(recipe, join(dir, "run-b"), tokenizerDir, () => {});
    expect(start).toBe(join(dir, "run-b", "start", "model"));
    const config = JSON.parse(readFileSync(join(start, "config.json"), "utf8"));
    expect(config).toMatchObject({ max_position_embeddings: 32, rope_theta: 10000 });
    const [a, b] = [await loadModel(modelDir), await loadModel(start)];
    const [ta, tb] = [await a.toHostTensors(), await b.toHostTensors()];
    for (const [name, t] of ta) expect(tb.get(name)!.data, name).toEqual(t.data);
    a.dispose();
    b.dispose();
  });

  it("refuses overrides that change the shapes of trained weights", async () => {
    const recipe = recipeWith({ path: modelDir, overrides: { intermediate_size: 64 } });
    await expect(prepareStartModel(recipe, join(dir, "run-c"), tokenizerDir, () => {})).rejects.toThrow(
      "model.overrides: would change tensor shapes of the trained weights in model.path",
    );
  });
});
