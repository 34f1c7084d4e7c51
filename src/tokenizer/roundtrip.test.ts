import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "./fixtures.js";
import { Rng } from "../rng.js";
import { Tokenizer } from "./tokenizer.js";

const tok = await Tokenizer.load(join(FIXTURES, "small"));

const TORTURE = [
  "",
  "plain ascii text",
  "emoji 😀👍🏽🚀 ZWJ family 👨‍👩‍👧 flag 🇫🇷 keycap 1️⃣",
  "CJK 日本語のテキスト 中文 한국어",
  "combining marks: e\u0301 a\u0323\u0302 n\u0303 \u093f\u0915 \u0e31",
  "tabs\tand\t\ttabs\t",
  "runs of spaces:  two   three    four     five",
  "newlines\n\n\nand CRLF\r\n\r\nand lone CR\r",
  "unicode spaces \u00a0\u1680\u2000\u2028\u2029\u202f\u205f\u3000 and NEL \u0085 and BOM \ufeff",
  "controls \u0000\u0001\u001f\u007f\u0080\u009f",
  "astral \u{10ffff} \u{e0001} \u{1d400}",
  "contractions it's IT'S we'll 'ſ 'K",
  "digits 1234567890 ٣٤٥ ½ ²",
  "special text <|endoftext|> <|user|> <|pad|> <|endoftext",
  "RTL العربية עברית mixed with LTR",
  " leading space and trailing space ",
];

describe("round trips", () => {
  it.each(TORTURE)("decode(encode(%j)) is exact", (text) => {
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it("holds on 500 random strings of code points from every plane", () => {
    const rng = new Rng(7);
    for (let n = 0; n < 500; n++) {
      let text = "";
      const len = rng.int(0, 19);
      for (let i = 0; i < len; i++) {
        // A mix of ASCII, BMP and astral code points, skipping the surrogate range (not scalar values).
        const plane = rng.int(0, 2);
        const cp = plane === 0 ? rng.int(0, 127) : plane === 1 ? rng.int(0, 0xd7ff) : rng.int(0x10000, 0x10ffff);
        text += String.fromCodePoint(cp);
      }
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it("replaces lone surrogates by U+FFFD (they are not Unicode scalar values; Rust strings cannot hold them)", () => {
    expect(tok.decode(tok.encode("a\ud800b\udfffc"))).toBe("a\ufffdb\ufffdc");
    expect(tok.encode("\ud83d")).toEqual(tok.encode("\ufffd"));
  });

  it("decodes ids that split a character into U+FFFD, like HF's lossy UTF-8", () => {
    const ids = tok.encode("😀");
    expect(ids.length).toBeGreaterThan(1);
    expect(tok.decode(ids.slice(0, 1))).toBe("\ufffd");
  });

  it("drops special tokens on request and skips unknown ids", () => {
    const ids = tok.encode("<|user|>hi<|endoftext|>");
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe("hi");
    expect(tok.decode([...ids, 123456])).toBe("<|user|>hi<|endoftext|>");
    expect(tok.decode([])).toBe("");
  });

  it("gives offsets that cover the input bytes in order", () => {
    const text = "héllo 😀<|endoftext|>\n";
    const { ids, byteStarts, byteEnds } = tok.encodeWithOffsets(text);
    expect(byteStarts[0]).toBe(0);
    for (let i = 1; i < ids.length; i++) expect(byteStarts[i]).toBe(byteEnds[i - 1]);
    expect(byteEnds.at(-1)).toBe(Buffer.byteLength(text));
  });
});
