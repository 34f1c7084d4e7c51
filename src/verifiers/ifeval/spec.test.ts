/** Spec formats (IFEval rows, open-instruct RLVR-IF ground truth, Tülu 3 func_name) and spec errors. */
import { describe, expect, it } from "vitest";
import { VerifierSpecError } from "../../errors.js";
import { removeThinkingSection, verifyIfeval } from "./index.js";

const lower = "this is an english sentence about the weather and the park today.";

describe("IFEval spec formats", () => {
  it("reads open-instruct's RLVR-IF ground truth (JSON or Python literal), scoring the answer after </think>", () => {
    const json = JSON.stringify([{ instruction_id: ["punctuation:no_comma", "startend:quotation"], kwargs: [null, {}] }]);
    const py = "[{'instruction_id': ['punctuation:no_comma'], 'kwargs': [{'unused': None}]}]";
    const response = "<think>Hmm, well, let me think.</think><answer>\"No commas here.\"</answer>";
    const r = verifyIfeval(response, { ground_truth: json });
    expect(r.correct).toBe(true);
    expect(r.details.instruction_id_list).toEqual(["punctuation:no_comma", "startend:quotation"]);
    expect(verifyIfeval(response, { ground_truth: py }).correct).toBe(true);
    expect(verifyIfeval("a, b", { ground_truth: py }).details.follow_instruction_list).toEqual([false]);
    expect(removeThinkingSection("<|assistant|> <think>x</think> <answer> y </answer> ")).toBe("y");
  });

  it("reads a list whose first element is the constraint serialised as a string", () => {
    const inner = JSON.stringify({ instruction_id: ["change_case:english_lowercase"], kwargs: [{}] });
    expect(verifyIfeval(lower, { ground_truth: JSON.stringify([inner]) }).correct).toBe(true);
  });

  it("reads Tülu 3's func_name format with if_functions.py semantics", () => {
    const gt = (o: object) => ({ ground_truth: JSON.stringify(o) });
    expect(verifyIfeval(lower, gt({ func_name: "validate_lowercase" })).correct).toBe(true);
    expect(verifyIfeval("Hello", gt({ func_name: "validate_lowercase" })).correct).toBe(false);
    // if_functions counts exactly (not "at least") and case-sensitively.
    expect(verifyIfeval("banana", gt({ func_name: "verify_letter_frequency", letter: "a", N: 3 })).correct).toBe(true);
    expect(verifyIfeval("bAnana", gt({ func_name: "verify_letter_frequency", letter: "a", N: 3 })).correct).toBe(false);
    expect(verifyIfeval("one two three", gt({ func_name: "validate_word_constraint", N: 3, quantifier: "at most" })).correct).toBe(true);
    expect(verifyIfeval("x".repeat(5) + " y", gt({ func_name: "validate_word_constraint", N: 10, quantifier: "around" })).correct).toBe(false);
    expect(verifyIfeval("A\n******\nB", gt({ func_name: "validate_two_responses" })).correct).toBe(true);
    expect(verifyIfeval("Use a cat.", gt({ func_name: "validate_forbidden_words", forbidden_words: ["CAT"] })).correct).toBe(false);
    expect(verifyIfeval("Nope", gt({ func_name: "validate_choice", options: ["yes", "no"] })).correct).toBe(false);
  });

  it("throws VerifierSpecError on bad specs, naming the field", () => {
    const bad = (spec: object, message: RegExp) => {
      expect(() => verifyIfeval("x", spec)).toThrow(VerifierSpecError);
      expect(() => verifyIfeval("x", spec)).toThrow(message);
    };
    bad({ instruction_id_list: ["no:such"], kwargs: [{}] }, /unknown instruction id "no:such"/);
    bad({ instruction_id_list: ["punctuation:no_comma"], kwargs: [{}, {}] }, /1 instruction ids but 2 kwargs/);
    bad({ instruction_id_list: ["length_constraints:number_words"], kwargs: [{ num_words: "ten", relation: "at least" }] }, /kwargs\[0\].*num_words: expected a number/);
    bad({ instruction_id_list: ["length_constraints:number_words"], kwargs: [{ relation: "at least" }] }, /num_words: missing/);
    bad({ instruction_id_list: ["length_constraints:number_words"], kwargs: [{ num_words: 5, relation: "at most" }] }, /relation: must be/);
    bad({ instruction_id_list: ["punctuation:no_comma"], kwargs: [{ extra: 1 }] }, /extra: unexpected argument/);
    bad({ instruction_id_list: ["keywords:letter_frequency"], kwargs: [{ letter: "ab", let_frequency: 1, let_relation: "at least" }] }, /letter: must be one character/);
    bad({ instruction_id_list: ["language:response_language"], kwargs: [{ language: "xx" }] }, /not one of IFEval's codes/);
    bad({ instruction_id_list: ["length_constraints:nth_paragraph_first_word"], kwargs: [{ num_paragraphs: 2, nth_paragraph: 3, first_word: "a" }] }, /nth_paragraph: 3 exceeds/);
    bad({ ground_truth: "{not json" }, /ground_truth: not JSON nor a Python literal/);
    bad({ ground_truth: JSON.stringify({ func_name: "validate_nothing" }) }, /unknown function "validate_nothing"/);
    bad({ ground_truth: JSON.stringify({ func_name: "validate_end" }) }, /end_phrase: missing or wrong type/);
    bad({}, /spec needs instruction_id_list/);
  });

  it("drops null kwargs that are not the instruction's (Hugging Face IFEval rows carry every key)", () => {
    const kwargs = { num_highlights: null, relation: null, num_words: null, keywords: null };
    expect(verifyIfeval("No commas.", { instruction_id_list: ["punctuation:no_comma"], kwargs: [kwargs] }).correct).toBe(true);
  });
});
