/**
 * The independent check: ids that Hugging Face's own implementations (Rust `tokenizers`, transformers'
 * `apply_chat_template`) produced for the fixture tokenizers, recorded in golden.json by make-golden.py.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, readGolden } from "./fixtures.js";
import { Tokenizer } from "./tokenizer.js";

const golden = readGolden();

describe.each(["small", "small-gpt2", "small-missing"])("HF golden ids: %s", (name) => {
  it(`encodes all ${golden.texts.length} held-out texts to HF's ids`, async () => {
    const tok = await Tokenizer.load(join(FIXTURES, name));
    const expected = golden.encode[name]!;
    const mismatches = golden.texts
      .map((text, i) => ({ text, got: tok.encode(text), want: expected[i]! }))
      .filter((c) => JSON.stringify(c.got) !== JSON.stringify(c.want));
    expect(mismatches).toEqual([]);
  });

  it("decodes with skip_special_tokens as HF does", async () => {
    const tok = await Tokenizer.load(join(FIXTURES, name));
    const got = golden.encode[name]!.map((ids) => tok.decode(ids, { skipSpecialTokens: true }));
    expect(got).toEqual(golden.decode_skip_special[name]);
  });
});

describe("HF golden: GPT-2 layout cases where the JS port @huggingface/tokenizers differs from Rust", () => {
  // JS's \s includes U+FEFF and excludes U+0085; Oniguruma's is the reverse. These pieces split differently.
  it.each([" \ufeff", " \u0085", "NEL\u0085 after space \u0085x \u0085\u0085 end", "BOM\ufeff \ufeffx \ufeff\ufeff end"])(
    "%j",
    async (text) => {
      const tok = await Tokenizer.load(join(FIXTURES, "small-gpt2"));
      const i = golden.texts.indexOf(text);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(tok.encode(text)).toEqual(golden.encode["small-gpt2"]![i]);
    },
  );
});

describe("HF golden: apply_chat_template", () => {
  it.each(golden.chat.map((c, i) => [i, c] as const))("conversation %i renders and encodes as transformers does", async (_, c) => {
    const tok = await Tokenizer.load(join(FIXTURES, "small"));
    expect(tok.renderChat(c.messages, { addGenerationPrompt: c.add_generation_prompt })).toBe(c.text);
    const ids = c.add_generation_prompt ? tok.encodePrompt(c.messages) : tok.encodeChat(c.messages).input_ids;
    expect(ids).toEqual(c.ids);
  });
});

describe("a folder saved by transformers 5 (merges as [a, b] pairs, chat_template.jinja)", () => {
  it("loads and behaves as the folder it was saved from", async () => {
    const saved = await Tokenizer.load(join(FIXTURES, "hf-saved"));
    const original = await Tokenizer.load(join(FIXTURES, "small"));
    expect(saved.chatTemplate).toBe(original.chatTemplate);
    expect(golden.texts.map((t) => saved.encode(t))).toEqual(golden.encode.small);
    for (const c of golden.chat) expect(saved.renderChat(c.messages, { addGenerationPrompt: c.add_generation_prompt })).toBe(c.text);
  });
});
