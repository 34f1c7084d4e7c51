/**
 * The dpo stage inside a recipe run: a micro model, a tokenizer trained on a handful of preference rows,
 * four steps; then the same run resumed, which finds the stage done. (Resuming an interrupted stage is
 * tested on the training function itself, in train.test.ts.)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toJsonl } from "../data/index.js";
import { recipeFromObject } from "../recipe/index.js";
import { runRecipe } from "../stages/index.js";
import { readMetrics } from "../train/index.js";
import { REFERENCE_CACHE_FILE } from "./reference.js";

const NAMES = ["Tom", "Ann", "Sam", "Mia", "Ben", "Zoe"];
const THINGS = ["apples", "books", "eggs", "shells"];

function preferenceRows(offset: number): object[] {
  return NAMES.flatMap((name, i) =>
    THINGS.map((thing, j) => {
      const [a, b] = [((i + offset) % 5) + 1, ((j + offset) % 4) + 2];
      const user = { role: "user", content: `${name} has ${a} ${thing} and gets ${b} more. How many ${thing}?` };
      return {
        id: `${offset}-${i}-${j}`,
        chosen: [user, { role: "assistant", content: `${a} + ${b} = ${a + b}\n#### ${a + b}` }],
        rejected: [user, { role: "assistant", content: `${a} + ${b} = ${a + b + 1}\n#### ${a + b + 1}` }],
        source: "micro",
      };
    }),
  );
}

function recipeIn(dir: string) {
  writeFileSync(join(dir, "prefs.jsonl"), toJsonl(preferenceRows(0)));
  writeFileSync(join(dir, "prefs-eval.jsonl"), toJsonl(preferenceRows(3).slice(0, 6)));
  const doc = {
    seed: 7,
    backend: "wasm",
    model: { preset: "micro", overrides: { max_position_embeddings: 128 } },
    tokenizer: { train: { vocab_size: 300, data: ["prefs.jsonl"] } },
    stages: [
      {
        kind: "dpo",
        name: "dpo",
        data: ["prefs.jsonl"],
        eval_data: ["prefs-eval.jsonl"],
        loss_type: "sigmoid",
        beta: 0.5,
        lr: 1e-2,
        batch_size: 4,
        max_steps: 4,
        max_length: 64,
        max_prompt_length: 48,
        eval_every: 2,
        checkpoint_every: 2,
      },
    ],
  };
  return recipeFromObject(doc, join(dir, "recipe.yaml"));
}

describe("the dpo stage in a recipe run", () => {
  it("writes the model, metrics with train and eval rows, the reference cache and a summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posttrain-dpo-run-"));
    const recipe = recipeIn(dir);
    const runDir = join(dir, "run");
    const lines: string[] = [];
    const options = { recipe, recipeFile: join(dir, "recipe.yaml"), runDir, write: (t: string) => lines.push(t), isTTY: false };
    const first = await runRecipe({ ...options, resume: false });
    const stageDir = join(runDir, "01-dpo");
    expect(first.stages[0]!.modelDir).toBe(join(stageDir, "model"));
    expect(existsSync(join(stageDir, "model", "model.safetensors"))).toBe(true);
    expect(existsSync(join(stageDir, REFERENCE_CACHE_FILE))).toBe(true);
    const rows = readMetrics(join(stageDir, "metrics.jsonl"));
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(rows.filter((r) => "eval/rewards/accuracies" in r).map((r) => r.step)).toEqual([2, 4]);
    const summary = first.stages[0]!.summary;
    expect(summary).toMatchObject({ steps: 4, pairs: 24, eval_pairs: 6, loss_type: "sigmoid" });
    expect(summary["eval/rewards/accuracies"]).toBe(rows[3]!["eval/rewards/accuracies"]);
    expect(lines.join("")).toMatch(/reference log-probs computed into/);
    lines.length = 0;
    await runRecipe({ ...options, resume: true });
    expect(lines.join("")).toMatch(/\[dpo\] already done, skipped/);

    rmSync(dir, { recursive: true, force: true });
  });
});
