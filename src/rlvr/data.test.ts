import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toJsonl } from "../data/index.js";
import { trainTokenizer } from "../tokenizer/index.js";
import { rlvrPrompts } from "./data.js";

const root = mkdtempSync(join(tmpdir(), "posttrain-rlvr-data-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("rlvrPrompts", () => {
  it("keeps only the rows of the requested verifiers, by dataset name or alias", async () => {
    const file = join(root, "mixed.jsonl");
    const row = (id: string, dataset: string, ground_truth: string) => ({ id, messages: [{ role: "user", content: `question ${id}` }], ground_truth, dataset });
    writeFileSync(file, toJsonl([row("a", "gsm8k", "7"), row("b", "math", "\\frac{1}{2}"), row("c", "GSM8K", "3")]));
    const tokenizer = await trainTokenizer(["question a b c"], { vocabSize: 280, minFrequency: 1 });
    const limits = { maxContext: 256, maxResponseLength: 8 };
    const all = await rlvrPrompts([file], tokenizer, limits);
    expect(all.prompts.map((p) => p.row.id)).toEqual(["a", "b", "c"]);
    const gsm = await rlvrPrompts([file], tokenizer, { ...limits, datasets: ["gsm8k"] });
    expect(gsm.prompts.map((p) => p.row.id)).toEqual(["a", "c"]);
    expect(gsm.dropped).toBe(0);
    await expect(rlvrPrompts([file], tokenizer, { ...limits, datasets: ["poetry"] })).rejects.toThrow(/unknown verifier "poetry"/);
  });
});
