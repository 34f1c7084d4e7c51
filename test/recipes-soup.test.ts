/**
 * The OLMo 2 stage-2 pattern in one micro run (in process): two anneals of the same pretrained model with
 * different names get different data orders, and the soup stage averages their weights.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSafetensors } from "../src/checkpoint/index.js";
import { recipeFromObject } from "../src/recipe/index.js";
import { runRecipe } from "../src/stages/index.js";
import { microRecipe, removeMicroWorlds, writeMicroWorld } from "./recipes-fixture.js";

afterAll(removeMicroWorlds);

describe("anneal + soup", () => {
  it("two anneals differ in data order and the soup is their average", async () => {
    const world = writeMicroWorld();
    const doc = microRecipe({ pretrainSteps: 3 });
    const anneal = { kind: "anneal", data: ["text.jsonl"], steps: 3, batch_size: 2, seq_length: 16, lr: 0.01, from: "pretrain" };
    doc.stages = [
      (doc.stages as object[])[0],
      { ...anneal, name: "anneal-a" },
      { ...anneal, name: "anneal-b" },
      { kind: "soup", name: "soup", stages: ["anneal-a", "anneal-b"] },
    ];
    const recipe = recipeFromObject(doc, join(world, "soup.yaml"));
    const lines: string[] = [];
    const run = await runRecipe({
      recipe,
      recipeFile: join(world, "soup.yaml"),
      runDir: join(world, "run"),
      resume: false,
      write: (text) => lines.push(text),
      isTTY: false,
    });
    const [, a, b, soup] = run.stages;
    expect(a!.summary.data_seed).not.toBe(b!.summary.data_seed);
    expect(a!.summary.final_loss).not.toBe(b!.summary.final_loss);
    const tensorsOf = async (dir: string) => (await readSafetensors(join(dir, "model.safetensors"))).tensors;
    const [ta, tb, ts] = await Promise.all([tensorsOf(a!.modelDir!), tensorsOf(b!.modelDir!), tensorsOf(soup!.modelDir!)]);
    for (const [name, t] of ts) {
      const expected = t.data.map((_, i) => Math.fround(0.5 * ta.get(name)!.data[i]! + 0.5 * tb.get(name)!.data[i]!));
      expect(t.data, name).toEqual(expected);
    }
    expect(ta.get("model.norm.weight")!.data).not.toEqual(tb.get("model.norm.weight")!.data);
  });
});
