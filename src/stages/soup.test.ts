import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { initBackend } from "../engine/index.js";
import { configFromPreset, Olmo2Model } from "../model/index.js";
import { recipeFromObject } from "../recipe/index.js";
import { MetricsWriter, Progress } from "../train/index.js";
import { trainTokenizer } from "../tokenizer/index.js";
import { averageTensors, runSoup } from "./soup.js";
import type { CompletedStage, StageContext } from "../recipe/index.js";

const dirs: string[] = [];

beforeAll(async () => {
  await initBackend("cpu");
});

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function contextFor(dir: string, tokenizerDir: string, previous: CompletedStage[]): StageContext {
  const recipe = recipeFromObject(
    {
      model: { preset: "micro" },
      tokenizer: { path: tokenizerDir },
      stages: [
        { kind: "pretrain", name: "a", data: ["x"] },
        { kind: "pretrain", name: "b", data: ["x"] },
        { kind: "soup", name: "soup", stages: ["a", "b"] },
      ],
    },
    join(dir, "r.yaml"),
    { checkFiles: false },
  );
  return {
    runDir: dir,
    stageDir: join(dir, "03-soup"),
    stageName: "soup",
    stageIndex: 2,
    seed: 1,
    backend: "cpu",
    inputModelDir: previous[1]!.modelDir!,
    tokenizerDir,
    resume: false,
    recipe,
    previous: new Map(previous.map((p) => [p.name, p])),
    log: () => {},
    openMetrics: () => new MetricsWriter(join(dir, "03-soup", "metrics.jsonl")),
    progress: (total) => new Progress({ total, label: "soup", write: () => {}, isTTY: false }),
  };
}

describe("soup", () => {
  it("averaging two copies of one checkpoint returns that checkpoint exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soup-"));
    dirs.push(dir);
    const tokenizer = await trainTokenizer(["one two three four five six seven eight nine ten"], { vocabSize: 300 });
    const tokenizerDir = join(dir, "tokenizer");
    await tokenizer.save(tokenizerDir);
    const model = Olmo2Model.init(configFromPreset("micro", { vocab_size: tokenizer.vocabSize }), 5);
    const modelDir = join(dir, "01-a", "model");
    await saveModel(modelDir, model, { tokenizer });
    const copy = (name: string): CompletedStage => ({ name, kind: "pretrain", stageDir: join(dir, name), modelDir, summary: {} });
    const result = await runSoup(contextFor(dir, tokenizerDir, [copy("a"), copy("b")]), {
      kind: "soup",
      name: "soup",
      from: null,
      stages: ["a", "b"],
      weights: [1, 3],
    });
    const soup = await loadModel(result.modelDir!);
    const original = await model.toHostTensors();
    for (const [name, tensor] of await soup.toHostTensors()) {
      expect(tensor.data, name).toEqual(original.get(name)!.data);
    }
    soup.dispose();
    model.dispose();
  });

  it("weights the average and normalises the weights", () => {
    const a = new Map([["w", { shape: [2], data: Float32Array.from([0, 4]) }]]);
    const b = new Map([["w", { shape: [2], data: Float32Array.from([4, 8]) }]]);
    expect(averageTensors([a, b], [1, 1]).get("w")!.data).toEqual(Float32Array.from([2, 6]));
    expect(averageTensors([a, b], [3, 1]).get("w")!.data).toEqual(Float32Array.from([1, 5]));
  });
});
