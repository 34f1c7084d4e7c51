import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "./fixtures.js";
import { SPECIAL_TOKENS, trainTokenizer } from "./train.js";

const corpus = readFileSync(join(FIXTURES, "corpus.txt"), "utf8");

async function savedFiles(texts: string[], vocabSize: number): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), "posttrain-tok-"));
  await (await trainTokenizer(texts, { vocabSize })).save(dir);
  const files: Record<string, string> = {};
  for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) files[f] = readFileSync(join(dir, f), "utf8");
  return files;
}

describe("trainTokenizer", () => {
  it("is deterministic: the same data and size give byte-identical files, equal to the committed fixture", async () => {
    const first = await savedFiles([corpus], 1000);
    const second = await savedFiles([corpus], 1000);
    expect(second).toEqual(first);
    // The fixture `small/` was trained from corpus.txt with vocab 1000; a change to training shows up here.
    for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) {
      expect(first[f]).toBe(readFileSync(join(FIXTURES, "small", f), "utf8"));
    }
  });

  it("lays out the vocabulary as OLMo 2 does: 256 byte symbols, merges, then the added tokens", async () => {
    const tok = await trainTokenizer([corpus], { vocabSize: 600 });
    expect(tok.vocabSize).toBe(600);
    const json = JSON.parse(readFileSync(join(FIXTURES, "small", "tokenizer.json"), "utf8"));
    expect(Object.keys(json.model.vocab)).toHaveLength(1000 - SPECIAL_TOKENS.length);
    expect(json.model.merges).toHaveLength(1000 - SPECIAL_TOKENS.length - 256);
    expect(json.model.vocab["!"]).toBe(0);
    expect(json.model.vocab["Ġ"]).toBe(220); // GPT-2's id for the space byte
    expect(json.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content])).toEqual(
      SPECIAL_TOKENS.map((t, i) => [995 + i, t]),
    );
    expect(SPECIAL_TOKENS.map((t) => tok.tokenToId(t))).toEqual([595, 596, 597, 598, 599]);
    expect([tok.eosId, tok.bosId, tok.padId]).toEqual([595, 595, 596]);
  });

  it("merges the most frequent pair first and breaks count ties by the smaller (left, right) ids", async () => {
    // Pieces "ab", " ab" x2, " cd" x3: (a b) = 3, (c d) = 3, (Ġ c) = 3, (Ġ a) = 2. The three-way tie goes to the
    // smallest ids, (a b) = (64, 65); then (c d) = (66, 67) beats (Ġ c) = (220, 66); then (Ġ cd) = 3 beats (Ġ ab) = 2.
    const tok = await trainTokenizer(["ab ab ab cd cd cd"], { vocabSize: 256 + 3 + SPECIAL_TOKENS.length, minFrequency: 1 });
    expect([256, 257, 258].map((id) => tok.idToToken(id))).toEqual(["ab", "cd", "Ġcd"]);
  });

  it("stops early when no pair reaches minFrequency", async () => {
    const tok = await trainTokenizer(["abc"], { vocabSize: 5000 });
    expect(tok.vocabSize).toBe(256 + SPECIAL_TOKENS.length);
  });

  it("rejects a vocabulary too small for the bytes and special tokens", async () => {
    await expect(trainTokenizer(["x"], { vocabSize: 260 })).rejects.toThrow(/vocab size must be an integer from 261/);
  });

  it("accepts async iterables", async () => {
    async function* gen() {
      yield "hello hello";
      yield "hello";
    }
    const tok = await trainTokenizer(gen(), { vocabSize: 270 });
    expect(tok.encode("hello")).toHaveLength(1);
  });
});
