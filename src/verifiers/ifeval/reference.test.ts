/**
 * Regression against outputs recorded from the Python reference (see test/fixtures/ifeval/README.md):
 * Punkt sentence counts, \w+ word counts, word_tokenize token and capital-word counts and
 * langdetect (seed 0) on 1,623 texts cut from the GPT-4 responses; and strict/loose verdicts of
 * google-research's checks on 800 adversarial random responses (Unicode whitespace, stars, brackets,
 * fences, P.S. markers, abbreviations, mixed scripts, case games).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { countSentences, countWords, detectLanguage, verifyIfeval, wordTokenize } from "./index.js";
import { pyIsUpper } from "./pystr.js";

const fixture = (name: string) => new URL(`../../../test/fixtures/ifeval/${name}`, import.meta.url);
const readJsonl = <T>(name: string): T[] =>
  readFileSync(fixture(name), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as T);

interface TextRef { id: string; from: number; to: number; sentences: number; words: number; tokens: number; capitals: number; lang: string | null }
interface FuzzRef { id: string; instruction_id_list: string[]; kwargs: Record<string, unknown>[]; response: string; strict: boolean[]; loose: boolean[] }

describe("agreement with recorded Python reference outputs", () => {
  it("tokenizers and langdetect agree on texts cut from the GPT-4 responses", () => {
    const responses = new Map(readJsonl<{ id: string; response: string }>("cases.jsonl").map((c) => [c.id, c.response]));
    const mismatches: string[] = [];
    const refs = readJsonl<TextRef>("nltk-reference.jsonl");
    for (const ref of refs) {
      // Python slices count code points.
      const text = Array.from(responses.get(ref.id)!).slice(ref.from, ref.to).join("");
      const tokens = wordTokenize(text);
      const got = {
        sentences: countSentences(text), words: countWords(text), tokens: tokens.length,
        capitals: tokens.filter(pyIsUpper).length, lang: detectLanguage(text),
      };
      const want = { sentences: ref.sentences, words: ref.words, tokens: ref.tokens, capitals: ref.capitals, lang: ref.lang };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${ref.id}[${ref.from}:${ref.to}] ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
    expect(refs.length).toBe(1623);
    expect(mismatches).toEqual([]);
  });

  it("strict and loose verdicts agree on adversarial random responses", () => {
    const mismatches: string[] = [];
    for (const c of readJsonl<FuzzRef>("fuzz-reference.jsonl")) {
      const d = verifyIfeval(c.response, c).details;
      if (JSON.stringify([d.follow_instruction_list, d.loose.follow_instruction_list]) !== JSON.stringify([c.strict, c.loose])) {
        mismatches.push(`${c.id} ${c.instruction_id_list.join(",")}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
