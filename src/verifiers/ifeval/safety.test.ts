/** Hostile inputs: size limits, regex bombs in the spec, deadlines, non-string responses. */
import { describe, expect, it } from "vitest";
import { VerifierSpecError } from "../../errors.js";
import { MAX_RESPONSE_LENGTH, verifyIfeval } from "./index.js";

const spec = { instruction_id_list: ["punctuation:no_comma", "length_constraints:number_sentences"], kwargs: [{}, { num_sentences: 1, relation: "at least" }] };

describe("IFEval verifier safety", () => {
  it("scores an oversized response as not followed, with a reason", () => {
    const r = verifyIfeval("a".repeat(MAX_RESPONSE_LENGTH + 1), spec);
    expect(r.correct).toBe(false);
    expect(r.details.follow_instruction_list).toEqual([false, false]);
    expect(r.details.reason).toMatch(/too long/);
  });

  it("handles a megabyte-scale pathological response within the limit quickly", () => {
    const hostile = ("*".repeat(50) + "\n" + ". ".repeat(500) + "[" + "a".repeat(1000) + "\n").repeat(40).slice(0, MAX_RESPONSE_LENGTH);
    const all = [
      "detectable_format:number_highlighted_sections", "detectable_format:number_bullet_lists", "detectable_content:number_placeholders",
      "length_constraints:number_sentences", "change_case:capital_word_frequency", "language:response_language", "detectable_format:title",
    ];
    const kwargs = [{ num_highlights: 1 }, { num_bullets: 1 }, { num_placeholders: 1 }, { num_sentences: 1, relation: "at least" },
      { capital_frequency: 1, capital_relation: "at least" }, { language: "en" }, {}];
    const t0 = Date.now();
    const r = verifyIfeval(hostile, { instruction_id_list: all, kwargs });
    expect(r.details.follow_instruction_list).toHaveLength(all.length);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("refuses keyword regexes that could backtrack catastrophically, and bad regexes, as spec errors", () => {
    for (const keyword of ["(a+)+$", "(a|aa)*b", "(x*)*", "\\1"]) {
      expect(() => verifyIfeval("aaaa", { instruction_id_list: ["keywords:existence"], kwargs: [{ keywords: [keyword] }] })).toThrow(VerifierSpecError);
    }
    expect(() => verifyIfeval("x", { instruction_id_list: ["keywords:existence"], kwargs: [{ keywords: ["(unclosed"] }] })).toThrow(/unbalanced/);
  });

  it("returns timeout when the deadline has passed", () => {
    const r = verifyIfeval("Fine.", spec, { deadline: Date.now() - 1 });
    expect(r.correct).toBe(false);
    expect(r.details.reason).toBe("timeout");
  });

  it("never throws on a non-string response", () => {
    const r = verifyIfeval(undefined as unknown as string, spec);
    expect(r.correct).toBe(false);
    expect(r.details.reason).toMatch(/not a string/);
  });
});
