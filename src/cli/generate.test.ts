import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveModel } from "../checkpoint/index.js";
import { initBackend } from "../engine/index.js";
import { Olmo2Model, configFromPreset } from "../model/index.js";
import { trainTokenizer } from "../tokenizer/index.js";

const CLI = path.resolve("dist/cli/main.js");
let dir: string;

function posttrain(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "posttrain-cli-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("posttrain init + generate", () => {
  it("init writes an HF folder; generate --json prints one object with greedy ids and logprobs", async () => {
    const out = path.join(dir, "m");
    const init = posttrain("init", "--preset", "micro", "--out", out, "--seed", "5", "--tie", "--num-key-value-heads", "1", "--backend", "wasm");
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/^backend: wasm/m);
    const config = JSON.parse(await fs.readFile(path.join(out, "config.json"), "utf8"));
    expect(config).toMatchObject({ model_type: "olmo2", tie_word_embeddings: true, num_key_value_heads: 1, vocab_size: 64 });

    const gen = posttrain("generate", "--model", out, "--prompt-ids", "3,4,5", "--max-new-tokens", "5", "--temperature", "0", "--json");
    expect(gen.code, gen.stderr).toBe(0);
    const lines = gen.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result.prompt_ids).toEqual([3, 4, 5]);
    expect(result.output_ids.length).toBe(result.logprobs.length);
    expect(result.output_ids.length).toBeGreaterThan(0);
    expect(result.logprobs.every((x: number) => x <= 0 && Number.isFinite(x))).toBe(true);
    expect(result.text).toBe("");
    // Same seed, same sampled output.
    const a = posttrain("generate", "--model", out, "--prompt-ids", "3,4,5", "--temperature", "1", "--top-p", "0.9", "--seed", "2", "--json");
    const b = posttrain("generate", "--model", out, "--prompt-ids", "3,4,5", "--temperature", "1", "--top-p", "0.9", "--seed", "2", "--json");
    expect(a.stdout).toBe(b.stdout);
  });

  it("--prompt and --chat encode with the folder's tokenizer and decode the output text", async () => {
    await initBackend("wasm");
    const tokenizer = await trainTokenizer(["hello world, hello there", "the cat sat on the mat", "hello hello world"], { vocabSize: 300, minFrequency: 1 });
    const config = configFromPreset("micro", { vocab_size: tokenizer.vocabSize, eos_token_id: tokenizer.eosId, pad_token_id: tokenizer.padId, initializer_range: 0.2 });
    const model = Olmo2Model.init(config, 3);
    const out = path.join(dir, "with-tokenizer");
    await saveModel(out, model, { tokenizer });
    model.dispose();
    const plain = posttrain("generate", "--model", out, "--prompt", "hello world", "--max-new-tokens", "6", "--json");
    expect(plain.code, plain.stderr).toBe(0);
    const a = JSON.parse(plain.stdout);
    expect(a.prompt_ids).toEqual(tokenizer.encode("hello world"));
    expect(a.text).toBe(tokenizer.decode(a.output_ids, { skipSpecialTokens: true }));
    const chat = posttrain("generate", "--model", out, "--chat", "hello", "--max-new-tokens", "4", "--json");
    expect(chat.code, chat.stderr).toBe(0);
    expect(JSON.parse(chat.stdout).prompt_ids).toEqual(tokenizer.encodePrompt([{ role: "user", content: "hello" }]));
    const noTokenizer = posttrain("generate", "--model", path.join(dir, "m"), "--prompt", "hi");
    expect(noTokenizer.code).toBe(2);
    expect(noTokenizer.stderr).toMatch(/tokenizer/);
  });

  it("rejects bad arguments with a usage message and exit code 2", () => {
    expect(posttrain("init", "--preset", "huge", "--out", path.join(dir, "x")).code).toBe(2);
    const r = posttrain("generate", "--model", path.join(dir, "m"), "--prompt-ids", "1,2", "--prompt", "hi");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one of/);
  });
});
