/**
 * The NLTK and langdetect ports against outputs of the Python reference (nltk 3.8 Punkt with the
 * English model's abbreviations, collocations and sentence starters; NLTKWordTokenizer;
 * RegexpTokenizer(r"\w+"); langdetect 1.0.9 with DetectorFactory.seed = 0), recorded by running it.
 */
import { describe, expect, it } from "vitest";
import { countSentences, countWords, detectLanguage, wordTokenize } from "./index.js";
import { isPyWordCodePoint } from "./pystr.js";

describe("Punkt sentence counts (nltk 3.8, English)", () => {
  const cases: [string, number][] = [
    ["Dr. Smith arrived at 5 p.m. yesterday. He left early.", 2],
    ["See e.g. the appendix. It helps.", 3],
    ["One\n\nTwo three", 1],
    ["Mr. and Mrs. Jones went to Washington, D.C. on Monday. They stayed.", 2],
    ["It costs $3.50. That is cheap! Really? Yes.", 4],
    ["The U.S. economy grew. Analysts were surprised.", 2],
    ['He said "Stop." Then he left.', 2],
    ["Item 1. The first item. Item 2. the second.", 3],
    ["Wait... What happened?", 1],
    ["(This is a test.) And another one.", 2],
    ["version 2.0 is out. Download it now.", 2],
  ];
  it.each(cases)("%j has %i sentences", (text, n) => {
    expect(countSentences(text)).toBe(n);
  });
});

describe("word_tokenize (Punkt + NLTKWordTokenizer)", () => {
  const cases: [string, string[]][] = [
    ["I CAN'T DO THIS.", ["I", "CA", "N'T", "DO", "THIS", "."]],
    ["The U.S.A. is BIG, isn't it?", ["The", "U.S.A.", "is", "BIG", ",", "is", "n't", "it", "?"]],
    ['HELLO-WORLD and AI/ML are HOT!!! "QUOTE" here.', ["HELLO-WORLD", "and", "AI/ML", "are", "HOT", "!", "!", "!", "``", "QUOTE", "''", "here", "."]],
    ["They'll go; we're done: OK? (YES) [NO] {MAYBE}", ["They", "'ll", "go", ";", "we", "'re", "done", ":", "OK", "?", "(", "YES", ")", "[", "NO", "]", "{", "MAYBE", "}"]],
    ["gonna wanna CANNOT 'tis", ["gon", "na", "wan", "na", "CAN", "NOT", "'t", "is"]],
    ["Price: $5,000.00 -- 50% OFF... NOW", ["Price", ":", "$", "5,000.00", "--", "50", "%", "OFF", "...", "NOW"]],
  ];
  it.each(cases)("%j", (text, tokens) => {
    expect(wordTokenize(text)).toEqual(tokens);
  });
});

describe("RegexpTokenizer(r'\\w+') word counts", () => {
  it("splits on apostrophes, hyphens and decimal points, keeps _ and non-Latin letters", () => {
    expect(countWords("Don't stop state-of-the-art 3.5 km_h")).toBe(10);
    expect(countWords("naïve café 東京 हिन्दी")).toBe(6); // Devanagari vowel signs are not \w in Python
  });

  it("tests \\w per code point as the Unicode-property class does (whole BMP, every 7th astral code point)", () => {
    const re = /[\p{L}\p{N}_]/u;
    const wrong: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 7) {
      if (isPyWordCodePoint(cp) !== re.test(String.fromCodePoint(cp))) wrong.push(cp);
    }
    expect(wrong).toEqual([]);
  });
});

describe("langdetect 1.0.9, seed 0", () => {
  const cases: [string, string | null][] = [
    ["This is an English sentence about the weather and the park.", "en"],
    ["LE TEMPS EST ENSOLEILLÉ ET CHAUD AUJOURD'HUI, DONC NOUS IRONS AU PARC APRÈS LE DÉJEUNER.", "de"],
    ["OK", "pt"],
    ["12345 !!!", null],
    ["Dies ist ein deutscher Satz über das Wetter.", "de"],
    ["यह हिंदी में लिखा गया एक वाक्य है।", "hi"],
    ["이것은 한국어 문장입니다.", "ko"],
    ["これは日本語の文です。", "ja"],
    ["这是一个中文句子。", "zh-cn"],
    ["Đây là một câu tiếng Việt.", "vi"],
    ["THIS IS ALL CAPS ENGLISH TEXT ABOUT THE WEATHER TODAY.", "en"],
  ];
  it.each(cases)("%j -> %s", (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});
