import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "./fixtures.js";
import { Tokenizer } from "./tokenizer.js";

const json = JSON.parse(readFileSync(join(FIXTURES, "small", "tokenizer.json"), "utf8")) as Record<string, any>;
const config = JSON.parse(readFileSync(join(FIXTURES, "small", "tokenizer_config.json"), "utf8")) as Record<string, any>;

function withEdit(edit: (j: any, c: any) => void): () => Tokenizer {
  const j = structuredClone(json);
  const c = structuredClone(config);
  edit(j, c);
  return () => Tokenizer.fromJSON(j, c);
}

describe("invalid tokenizer files give errors that name the file and field", () => {
  it.each([
    ["model missing", (j: any) => delete j.model, /tokenizer\.json: model must be an object/],
    ["not BPE", (j: any) => (j.model.type = "WordPiece"), /model\.type must be "BPE", got "WordPiece"/],
    ["bad vocab id", (j: any) => (j.model.vocab["!"] = -1), /model\.vocab\["!"\] must be an integer id/],
    ["duplicate vocab id", (j: any) => (j.model.vocab["!"] = 1), /id 1 is used by both/],
    ["merge of unknown token", (j: any) => j.model.merges.push("zz qq"), /model\.merges\[\d+\] "zz qq": "zz" is not in model\.vocab/],
    ["malformed merge", (j: any) => (j.model.merges[0] = "a b c"), /model\.merges\[0\] "a b c" is not exactly two tokens/],
    ["normalizer", (j: any) => (j.normalizer = { type: "NFKC" }), /normalizer "NFKC" is not supported/],
    ["no ByteLevel", (j: any) => (j.pre_tokenizer = { type: "Whitespace" }), /pre_tokenizer\.type "Whitespace" is not supported/],
    ["bad regex", (j: any) => (j.pre_tokenizer.pretokenizers[0].pattern.Regex = "\\w+"), /unsupported escape \\w/],
    ["wrong decoder", (j: any) => (j.decoder = { type: "WordPiece" }), /decoder\.type must be "ByteLevel"/],
    ["byte fallback", (j: any) => (j.model.byte_fallback = true), /model\.byte_fallback is not supported/],
    ["added token flags", (j: any) => (j.added_tokens[0].lstrip = true), /added_tokens\[0\]\.lstrip: true is not supported/],
    ["added id out of HF's order", (j: any) => (j.added_tokens[1].id = 5000), /added_tokens\[1\] "<\|pad\|>" has id 5000, but HF tokenizers would number it 996/],
    ["eos missing", (_: any, c: any) => delete c.eos_token, /tokenizer_config\.json: eos_token is missing/],
    ["eos unknown", (_: any, c: any) => (c.eos_token = "<eos>"), /eos_token "<eos>" is not a token of tokenizer\.json/],
    ["template broken", (_: any, c: any) => (c.chat_template = "{% for %}"), /chat_template does not parse/],
  ])("%s", (_, edit, message) => {
    expect(withEdit(edit as (j: any, c: any) => void)).toThrow(message);
  });

  it("names the file on disk when loading, for missing files and bad JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posttrain-tok-bad-"));
    await expect(Tokenizer.load(dir)).rejects.toThrow(`${join(dir, "tokenizer.json")}: cannot read (ENOENT)`);
    writeFileSync(join(dir, "tokenizer.json"), "{ not json");
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
    await expect(Tokenizer.load(dir)).rejects.toThrow(`${join(dir, "tokenizer.json")}: is not valid JSON`);
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ ...json, model: { ...json.model, type: "Unigram" } }));
    await expect(Tokenizer.load(dir)).rejects.toThrow(`${join(dir, "tokenizer.json")}: model.type must be "BPE"`);
  });

  it("a config without chat_template loads, and only chat calls fail", () => {
    const tok = withEdit((_, c) => delete c.chat_template)();
    expect(tok.chatTemplate).toBe("");
    expect(tok.encode("hi").length).toBeGreaterThan(0);
    expect(() => tok.renderChat([{ role: "user", content: "hi" }])).toThrow(/has no chat_template/);
  });

  it("accepts merges written as [a, b] pairs (tokenizers >= 0.20) with the same result", () => {
    const pairs = withEdit((j) => (j.model.merges = j.model.merges.map((m: string) => m.split(" "))))();
    const strings = Tokenizer.fromJSON(json, config);
    const text = "Pairs and strings: the same merges, it's 2026.";
    expect(pairs.encode(text)).toEqual(strings.encode(text));
  });
});

describe("save", () => {
  it("writes files that load back to the same tokenizer, vocab in id order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posttrain-tok-save-"));
    const tok = Tokenizer.fromJSON(json, config);
    await tok.save(dir);
    const text = readFileSync(join(dir, "tokenizer.json"), "utf8");
    expect(text).toBe(readFileSync(join(FIXTURES, "small", "tokenizer.json"), "utf8"));
    const vocabBlock = text.slice(text.indexOf('"vocab": {'), text.indexOf('"merges": ['));
    const ids = [...vocabBlock.matchAll(/^ {6}".*": (\d+),?$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: 995 }, (_, i) => i));
    const back = await Tokenizer.load(dir);
    expect(back.encode("0 12 345 digits first?")).toEqual(tok.encode("0 12 345 digits first?"));
    expect(JSON.parse(readFileSync(join(dir, "special_tokens_map.json"), "utf8"))).toMatchObject({
      bos_token: { content: "<|endoftext|>" },
      eos_token: { content: "<|endoftext|>" },
      pad_token: { content: "<|pad|>" },
    });
  });
});
