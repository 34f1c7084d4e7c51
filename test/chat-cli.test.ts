/**
 * `posttrain chat` as a user runs it: a subprocess on a micro model folder with a tokenizer, its stdin piped.
 * The expected answers are recomputed in-process (greedy) from the conversation the chat should have built, so
 * the test checks the chat template, the history, /reset, /system, /exit and the context window together.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveModel } from "../src/checkpoint/index.js";
import { initBackend } from "../src/engine/index.js";
import { Olmo2Model, configFromPreset, generate } from "../src/model/index.js";
import { trainTokenizer, type ChatMessage, type Tokenizer } from "../src/tokenizer/index.js";
import { runCli } from "./cli-process.js";

let dir: string;
let modelDir: string;
let model: Olmo2Model;
let tokenizer: Tokenizer;
const MAX_NEW = 6;

/** `posttrain chat ...args` with `input` piped to its stdin. */
const chat = (args: string[], input: string) => runCli(["chat", ...args], input);

/** The greedy answer the chat must print for `messages`. */
async function expected(messages: ChatMessage[]): Promise<string> {
  const out = await generate(model, [tokenizer.encodePrompt(messages)], { maxNewTokens: MAX_NEW, temperature: 0, eosTokenId: tokenizer.eosId });
  return tokenizer.decode(out.outputIds[0]!, { skipSpecialTokens: true });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "posttrain-chat-"));
  await initBackend("wasm");
  tokenizer = await trainTokenizer(["hello world, hello there", "the cat sat on the mat", "be brief please", "hello again world"], {
    vocabSize: 300,
    minFrequency: 1,
  });
  const config = configFromPreset("micro", {
    vocab_size: tokenizer.vocabSize,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.padId,
    initializer_range: 0.2,
    max_position_embeddings: 96,
  });
  model = Olmo2Model.init(config, 11);
  modelDir = path.join(dir, "model");
  await saveModel(modelDir, model, { tokenizer });
});

afterAll(async () => {
  model?.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe("posttrain chat", () => {
  it("answers piped turns through the chat template, keeps history, and obeys /reset, /system and /exit", async () => {
    const input = ["hello", "the cat", "/reset", "hello", "/system be brief", "hello", "/exit", "never answered"].join("\n") + "\n";
    const r = await chat(["--model", modelDir, "--temperature", "0", "--max-new-tokens", String(MAX_NEW), "--backend", "wasm"], input);
    expect(r.code, r.stderr).toBe(0);

    const a1 = await expected([{ role: "user", content: "hello" }]);
    const a2 = await expected([
      { role: "user", content: "hello" },
      { role: "assistant", content: a1 },
      { role: "user", content: "the cat" },
    ]);
    // After /reset the same first message gets the same greedy answer.
    const a3 = a1;
    const a4 = await expected([
      { role: "system", content: "be brief" },
      { role: "user", content: "hello" },
      { role: "assistant", content: a3 },
      { role: "user", content: "hello" },
    ]);
    expect(a2).not.toBe(a1); // the history changed the prompt, so this micro model answers differently
    expect(r.stdout).toBe([a1, a2, a3, a4].map((a) => a + "\n").join(""));
    expect(r.stderr).toContain("(conversation reset)");
    expect(r.stderr).toContain("(system prompt set: be brief)");
  });

  it("drops the oldest exchanges when the context is full and refuses a message that cannot fit", async () => {
    const long = Array.from({ length: 16 }, () => "hello world the cat sat on the mat").join(" ");
    const short = ["hello there", "the cat sat on the mat", "hello again world", "be brief please", "hello world"];
    const turns = [...short, ...short, long];
    const r = await chat(["--model", modelDir, "--temperature", "0", "--max-new-tokens", String(MAX_NEW), "--backend", "wasm"], turns.join("\n") + "\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").length - 1).toBeGreaterThanOrEqual(10);
    expect(r.stderr).toMatch(/context full: dropped the \d+ oldest exchange/);
    expect(r.stderr).toMatch(/message too long: the model's context is 96 tokens and an answer needs room for 6/);
  });

  it("leaves room for the prompt when --max-new-tokens is as large as the context", async () => {
    const r = await chat(["--model", modelDir, "--temperature", "0", "--max-new-tokens", "96", "--backend", "wasm"], "hello\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("too long");
    const answer = r.stdout.replace(/\n$/, "");
    expect(tokenizer.encode(answer).length).toBeGreaterThan(6); // more than the other tests' budget: the room left was used
  });

  it("rejects a missing --model or a folder without a tokenizer with exit code 2", async () => {
    const none = await chat([], "");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--model is required");
    const bare = path.join(dir, "bare");
    await fs.mkdir(bare);
    const noTokenizer = await chat(["--model", bare], "");
    expect(noTokenizer.code).toBe(2);
    expect(noTokenizer.stderr).toContain("no tokenizer.json");
  });
});
