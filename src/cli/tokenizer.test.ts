/** `posttrain tokenizer ...` through the built CLI (vitest's global setup builds dist/). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Tokenizer } from "../tokenizer/index.js";

const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const corpus = fileURLToPath(new URL("../../test/fixtures/tokenizer/corpus.txt", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "posttrain-tokenizer-cli-"));

function posttrain(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, "tokenizer", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("posttrain tokenizer", () => {
  it("train reads text and chat JSONL plus .txt, then encode prints {id, ids} lines", async () => {
    const data = join(dir, "mixed.jsonl");
    writeFileSync(
      data,
      [
        { text: "plain pretraining text" },
        { messages: [{ role: "user", content: "question here" }, { role: "assistant", content: "answer there" }] },
        { prompt: "p", chosen: [{ role: "assistant", content: "good" }], rejected: [{ role: "assistant", content: "bad" }] },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n") + "\n",
    );
    const out = join(dir, "tok");
    const trained = posttrain("train", "--data", data, corpus, "--vocab-size", "700", "--out", out);
    expect(trained.code).toBe(0);
    expect(trained.stderr).toMatch(/trained vocab 700 in [\d.]+ s/);
    const tok = await Tokenizer.load(out);
    expect(tok.vocabSize).toBe(700);

    const texts = join(dir, "texts.jsonl");
    writeFileSync(texts, [{ id: "a", text: "answer there 😀" }, { id: 7, text: "<|endoftext|>" }].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const encoded = posttrain("encode", "--tokenizer", out, "--in", texts);
    expect(encoded.code).toBe(0);
    const lines = encoded.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: "a", ids: tok.encode("answer there 😀") },
      { id: 7, ids: [tok.eosId] },
    ]);
  });

  it("reports bad rows with file and line, and missing options with usage", () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"text": "ok"}\n{"messages": [{"role": "user"}]}\n');
    const r = posttrain("train", "--data", bad, "--vocab-size", "300", "--out", join(dir, "x"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2: field messages[0].content: must be a string`);
    const usage = posttrain("train", "--data", bad);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--vocab-size must be an integer");
    expect(posttrain("encode", "--tokenizer", join(dir, "nowhere"), "--in", bad)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`${join(dir, "nowhere", "tokenizer.json")}: cannot read`),
    });
  });
});
