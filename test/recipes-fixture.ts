/**
 * A micro world for the recipe tests: a few JSONL files written into a temporary folder and a recipe over
 * them (micro preset, ~300-token vocabulary, a handful of steps), so a whole run takes seconds on the cpu
 * backend.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

const NAMES = ["Ana", "Ben", "Caro", "Dev", "Eli", "Fay"];
const THINGS = ["apples", "books", "coins", "shells"];

function jsonl(rows: object[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

const worlds: string[] = [];

/** Removes every folder writeMicroWorld made (call from afterAll). */
export function removeMicroWorlds(): void {
  for (const dir of worlds.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes text, sft and rlvr files; returns the folder. */
export function writeMicroWorld(): string {
  const dir = mkdtempSync(join(tmpdir(), "posttrain-recipe-"));
  worlds.push(dir);
  const text: object[] = [];
  const sft: object[] = [];
  const rlvr: object[] = [];
  let n = 0;
  for (const name of NAMES) {
    for (const thing of THINGS) {
      const a = (n % 7) + 2;
      const b = (n % 5) + 1;
      text.push({ id: `t${n}`, text: `${name} has ${a} ${thing}. ${name} finds ${b} more ${thing}. Now ${name} has ${a + b} ${thing}.`, source: "micro" });
      sft.push({
        id: `s${n}`,
        messages: [
          { role: "user", content: `${name} has ${a} ${thing} and finds ${b} more. How many ${thing}?` },
          { role: "assistant", content: `${a} + ${b} = ${a + b}\n#### ${a + b}` },
        ],
        source: "micro",
      });
      if (n % 6 === 0) {
        rlvr.push({
          id: `r${n}`,
          messages: [{ role: "user", content: `${name} has ${b} ${thing} and finds ${a} more. How many ${thing}?` }],
          ground_truth: String(a + b),
          dataset: "gsm8k",
        });
      }
      n++;
    }
  }
  writeFileSync(join(dir, "text.jsonl"), jsonl(text));
  writeFileSync(join(dir, "sft.jsonl"), jsonl(sft));
  writeFileSync(join(dir, "rlvr.jsonl"), jsonl(rlvr));
  return dir;
}

/** The micro recipe: tokenizer, pretrain, sft, eval, export. Paths are relative to the recipe's folder. */
export function microRecipe(overrides: { pretrainSteps?: number; sftSteps?: number } = {}): Record<string, unknown> {
  return {
    name: "micro",
    description: "Test recipe.",
    seed: 11,
    backend: "wasm",
    model: { preset: "micro", overrides: { max_position_embeddings: 64 } },
    tokenizer: { train: { vocab_size: 300, data: ["text.jsonl", "sft.jsonl"] } },
    stages: [
      {
        kind: "pretrain",
        name: "pretrain",
        data: ["text.jsonl"],
        steps: overrides.pretrainSteps ?? 6,
        batch_size: 4,
        seq_length: 32,
        lr: 0.01,
        checkpoint_every: 3,
      },
      {
        kind: "sft",
        name: "sft",
        data: ["sft.jsonl"],
        epochs: 10,
        max_steps: overrides.sftSteps ?? 6,
        batch_size: 4,
        gradient_accumulation_steps: 2,
        max_seq_length: 64,
        lr: 0.01,
        checkpoint_every: 2,
      },
      { kind: "eval", name: "eval", sets: [{ name: "gsm", path: "rlvr.jsonl", limit: 2 }], max_new_tokens: 8 },
      { kind: "export", name: "export" },
    ],
  };
}

export function writeRecipe(dir: string, recipe: Record<string, unknown>, file = "micro.yaml"): string {
  const path = join(dir, file);
  writeFileSync(path, stringify(recipe));
  return path;
}
