/**
 * The Punkt scanners must give exactly the matches of the regexes they replace (the JavaScript
 * spellings of nltk 3.8's `_word_tokenize_fmt` and `_period_context_fmt` that the Punkt port was
 * validated with): checked on many random strings over the characters the patterns name.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../rng.js";
import { periodContexts, punktWordTokens } from "./punkt-scan.js";
import { PY_SPACE } from "./pystr.js";

const S = `[${PY_SPACE}]`;
const NS = `[^${PY_SPACE}]`;
const NON_WORD = `(?:[)";}\\]*:@'({\\[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.${S}){2,}\\.)`;
const WORD_START = `[^("\`{\\[:;&#*@)}\\]\\-,]`;
const WORD_TOKENIZER = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})${NS}+?(?=${S}|$|${NON_WORD}|${MULTI_CHAR}|,(?=$|${S}|${NON_WORD}|${MULTI_CHAR}))|${NS}`,
  "gu",
);
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(?<after>${NON_WORD}|${S}+(?<next>${NS}+)))`, "gdu");

const regexWordTokens = (line: string) => [...line.matchAll(WORD_TOKENIZER)].map((m) => m[0]);
const regexPeriodContexts = (text: string) =>
  [...text.matchAll(PERIOD_CONTEXT)].map((m) => ({ index: m.index, after: m.groups!.after!, nextStart: m.indices!.groups!.next?.[0] }));

describe("Punkt scanners", () => {
  it("agree with the regexes on random strings", () => {
    const rng = new Rng(11);
    const alphabet = [".", ".", ".", " ", " ", "\t", "\u00a0", "-", "-", ",", ",", "?", "!", ")", '"', ";", "}", "]", "*", ":",
      "@", "'", "(", "{", "[", "`", "&", "#", "a", "B", "1", "é", "😀", "\ud800", "\r"];
    for (let t = 0; t < 30000; t++) {
      const len = rng.int(0, 16);
      let s = "";
      for (let i = 0; i < len; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
      expect(punktWordTokens(s), JSON.stringify(s)).toEqual(regexWordTokens(s));
      expect(periodContexts(s), JSON.stringify(s)).toEqual(regexPeriodContexts(s));
    }
  });
});
