import { describe, expect, it } from "vitest";
import { CL100K_PATTERN, GPT2_PATTERN } from "./pretokenize.js";
import { onigurumaToJs } from "./regex.js";

const pieces = (pattern: string, text: string) => [...text.matchAll(onigurumaToJs(pattern))].map((m) => m[0]);

describe("Oniguruma → JavaScript regex translation", () => {
  it("gives \\s Oniguruma's meaning: U+0085 is whitespace, U+FEFF is not", () => {
    expect(pieces("\\s+", "a\u0085\u0085b")).toEqual(["\u0085\u0085"]);
    expect(pieces("\\s+", "a\ufeffb")).toEqual([]);
    expect(pieces("[^\\s]+", "a\ufeff b")).toEqual(["a\ufeff", "b"]);
  });

  it("folds case in (?i:...) with Unicode simple folding (ſ matches s, K matches k)", () => {
    expect(pieces("(?i:'s|'re)", "'s 'S 'ſ 'Re 'rE")).toEqual(["'s", "'S", "'ſ", "'Re", "'rE"]);
    expect(pieces("(?i:k)", "kK\u212a")).toHaveLength(3);
  });

  it("splits cl100k-style (OLMo 2) text as HF does", () => {
    expect(pieces(CL100K_PATTERN, "Hello world, it's 12345!\n\n  x")).toEqual(["Hello", " world", ",", " it", "'s", " ", "123", "45", "!\n\n", " ", " x"]);
    expect(pieces(CL100K_PATTERN, "'ſx")).toEqual(["'ſ", "x"]);
  });

  it("splits GPT-2 style text", () => {
    expect(pieces(GPT2_PATTERN, "Hello  world's")).toEqual(["Hello", " ", " world", "'s"]);
  });

  it.each([
    ["possessive quantifier", "a++"],
    ["atomic group", "(?>a)"],
    ["anchor", "^a"],
    ["\\w", "\\w+"],
    ["nested class", "[[a]]"],
    ["class in (?i:)", "(?i:[a])"],
    ["unbalanced", "(a"],
  ])("rejects %s instead of guessing", (_, pattern) => {
    expect(() => onigurumaToJs(pattern)).toThrow(/tokenizer\.json: pre_tokenizer Split pattern/);
  });
});

describe("literals", () => {
  it("keeps '-' literal outside classes and escaped '-' literal inside them", () => {
    expect(pieces("a-b|[x\\-z]+", "a-b x-z y")).toEqual(["a-b", "x-z"]);
    expect(pieces("[a-c]+", "abcd")).toEqual(["abc"]);
    expect(pieces("\\.\\+\\(", "a.+(b")).toEqual([".+("]);
  });
});
