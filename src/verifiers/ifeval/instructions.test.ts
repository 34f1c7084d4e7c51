/**
 * One block per IFEval instruction id: followed, not followed, and the boundary cases the
 * reference's quirks define (see shared/data/README.md "Reference behaviours", mirrored here).
 */
import { describe, expect, it } from "vitest";
import { INSTRUCTION_IDS, verifyIfeval } from "./index.js";

/** Strict verdict of one instruction. */
function strict(id: string, kwargs: Record<string, unknown>, response: string): boolean {
  return verifyIfeval(response, { instruction_id_list: [id], kwargs: [kwargs] }).details.follow_instruction_list[0]!;
}
/** Loose verdict of one instruction. */
function loose(id: string, kwargs: Record<string, unknown>, response: string): boolean {
  return verifyIfeval(response, { instruction_id_list: [id], kwargs: [kwargs] }).details.loose.follow_instruction_list[0]!;
}

const LESS = "less than";
const LEAST = "at least";

describe("IFEval instructions", () => {
  it("knows all 25 ids", () => {
    expect(INSTRUCTION_IDS).toHaveLength(25);
  });

  it("fails every instruction on an empty or blank response, even prohibitions", () => {
    for (const r of ["", "  \n\t "]) {
      expect(strict("punctuation:no_comma", {}, r)).toBe(false);
      expect(loose("keywords:forbidden_words", { forbidden_words: ["x"] }, r)).toBe(false);
    }
  });

  it("keywords:existence is a case-insensitive regex search without word boundaries", () => {
    const id = "keywords:existence";
    expect(strict(id, { keywords: ["cat", "DOG"] }, "A category of dogs.")).toBe(true);
    expect(strict(id, { keywords: ["cat", "bird"] }, "A cat.")).toBe(false);
    expect(strict(id, { keywords: ["c.t"] }, "cut")).toBe(true);
    // Python's re compares simple lower-case mappings: "İ" (U+0130) matches "i".
    expect(strict(id, { keywords: ["istanbul"] }, "İSTANBUL")).toBe(true);
  });

  it("keywords:frequency counts regex matches; 'less than' and 'at least' at the limit", () => {
    const id = "keywords:frequency";
    const text = "Apple pie, apple tart and an APPLE.";
    expect(strict(id, { keyword: "apple", frequency: 3, relation: LEAST }, text)).toBe(true);
    expect(strict(id, { keyword: "apple", frequency: 4, relation: LEAST }, text)).toBe(false);
    expect(strict(id, { keyword: "apple", frequency: 3, relation: LESS }, text)).toBe(false);
    expect(strict(id, { keyword: " apple ", frequency: 4, relation: LESS }, text)).toBe(true);
  });

  it("keywords:forbidden_words matches whole words only (Unicode \\b)", () => {
    const id = "keywords:forbidden_words";
    expect(strict(id, { forbidden_words: ["cat"] }, "A category.")).toBe(true);
    expect(strict(id, { forbidden_words: ["cat"] }, "The CAT sat.")).toBe(false);
    expect(strict(id, { forbidden_words: ["café"] }, "un cafés")).toBe(true);
    expect(strict(id, { forbidden_words: ["café"] }, "un café.")).toBe(false);
    // Loose mode may pass a prohibition by dropping the line that breaks it.
    expect(loose(id, { forbidden_words: ["cat"] }, "cat\nThe rest is fine.")).toBe(true);
  });

  it("keywords:letter_frequency counts any character in the lower-cased response", () => {
    const id = "keywords:letter_frequency";
    expect(strict(id, { letter: "A", let_frequency: 3, let_relation: LEAST }, "a A a")).toBe(true);
    expect(strict(id, { letter: "a", let_frequency: 3, let_relation: LESS }, "a A a")).toBe(false);
    expect(strict(id, { letter: "#", let_frequency: 2, let_relation: LEAST }, "#one #two")).toBe(true);
  });

  it("language:response_language uses langdetect; text without letters counts as followed", () => {
    const id = "language:response_language";
    expect(strict(id, { language: "de" }, "Dies ist ein deutscher Satz über das Wetter.")).toBe(true);
    expect(strict(id, { language: "de" }, "This is an English sentence about the weather and the park.")).toBe(false);
    expect(strict(id, { language: "hi" }, "12345 !!!")).toBe(true);
  });

  it("length_constraints:number_sentences uses Punkt (abbreviations don't split, e.g. does)", () => {
    const id = "length_constraints:number_sentences";
    const two = "Dr. Smith arrived at 5 p.m. yesterday. He left early.";
    expect(strict(id, { num_sentences: 2, relation: LEAST }, two)).toBe(true);
    expect(strict(id, { num_sentences: 3, relation: LEAST }, two)).toBe(false);
    expect(strict(id, { num_sentences: 2, relation: LESS }, two)).toBe(false);
    expect(strict(id, { num_sentences: 3, relation: LEAST }, "See e.g. the appendix. It helps.")).toBe(true);
    expect(strict(id, { num_sentences: 2, relation: LESS }, "One\n\nTwo three")).toBe(true);
  });

  it("length_constraints:number_paragraphs splits on ***, ignoring empty ends, failing empty middles", () => {
    const id = "length_constraints:number_paragraphs";
    expect(strict(id, { num_paragraphs: 2 }, "One.\n***\nTwo.")).toBe(true);
    expect(strict(id, { num_paragraphs: 2 }, "***\nOne.\n****\nTwo.\n***")).toBe(true);
    expect(strict(id, { num_paragraphs: 2 }, "One.\n******\nTwo.")).toBe(false); // "******" leaves an empty middle part
    expect(strict(id, { num_paragraphs: 3 }, "One.\n***\nTwo.")).toBe(false);
    expect(strict(id, { num_paragraphs: 2 }, "One.\n***\n***\nTwo.")).toBe(false);
  });

  it("length_constraints:number_words counts Unicode \\w+ runs", () => {
    const id = "length_constraints:number_words";
    const ten = "Don't stop state-of-the-art 3.5 km_h"; // Don, t, stop, state, of, the, art, 3, 5, km_h
    expect(strict(id, { num_words: 10, relation: LEAST }, ten)).toBe(true);
    expect(strict(id, { num_words: 11, relation: LEAST }, ten)).toBe(false);
    expect(strict(id, { num_words: 10, relation: LESS }, ten)).toBe(false);
    expect(strict(id, { num_words: 7, relation: LESS }, "naïve café 東京 हिन्दी")).toBe(true);
  });

  it("length_constraints:nth_paragraph_first_word checks the count and the cleaned first word", () => {
    const id = "length_constraints:nth_paragraph_first_word";
    const text = "Intro here.\n\n\"Second,\" she said.\n\nThird.";
    expect(strict(id, { num_paragraphs: 3, nth_paragraph: 2, first_word: "second" }, text)).toBe(true);
    expect(strict(id, { num_paragraphs: 2, nth_paragraph: 2, first_word: "second" }, text)).toBe(false);
    expect(strict(id, { num_paragraphs: 3, nth_paragraph: 1, first_word: "second" }, text)).toBe(false);
  });

  it("detectable_content:number_placeholders counts [..] including []", () => {
    const id = "detectable_content:number_placeholders";
    expect(strict(id, { num_placeholders: 2 }, "Dear [name], at [] we")).toBe(true);
    expect(strict(id, { num_placeholders: 3 }, "Dear [name], at [] we")).toBe(false);
    expect(strict(id, { num_placeholders: 1 }, "[broken\n]")).toBe(false);
  });

  it("detectable_content:postscript searches the lower-cased response, not only line starts", () => {
    const id = "detectable_content:postscript";
    expect(strict(id, { postscript_marker: "P.S." }, "Bye.\nP.S. See you.")).toBe(true);
    expect(strict(id, { postscript_marker: "P.S." }, "Bye. p. s. later")).toBe(true);
    expect(strict(id, { postscript_marker: "P.P.S" }, "Bye.\nP.S. See you.")).toBe(false);
    expect(strict(id, { postscript_marker: "P.P.S" }, "x\np.p.s more")).toBe(true);
  });

  it("detectable_format:number_bullet_lists needs exactly N lines starting * or -", () => {
    const id = "detectable_format:number_bullet_lists";
    const text = "* one\n- two\n  * three\n1. not\n• not\n**bold** not";
    expect(strict(id, { num_bullets: 3 }, text)).toBe(true);
    expect(strict(id, { num_bullets: 2 }, text)).toBe(false);
    expect(strict(id, { num_bullets: 1 }, "---")).toBe(true);
  });

  it("detectable_format:constrained_response is a case-sensitive substring", () => {
    const id = "detectable_format:constrained_response";
    expect(strict(id, {}, "Well. My answer is maybe.")).toBe(true);
    expect(strict(id, {}, "my answer is yes.")).toBe(false);
  });

  it("detectable_format:number_highlighted_sections counts *x* and **x** (***x*** twice)", () => {
    const id = "detectable_format:number_highlighted_sections";
    expect(strict(id, { num_highlights: 2 }, "*one* and **two**")).toBe(true);
    expect(strict(id, { num_highlights: 3 }, "*one* and **two**")).toBe(false);
    expect(strict(id, { num_highlights: 2 }, "***x***")).toBe(true);
    expect(strict(id, { num_highlights: 1 }, "2 * 3 * 4")).toBe(true);
    expect(strict(id, { num_highlights: 1 }, "** ** and *\n*")).toBe(false);
  });

  it("detectable_format:multiple_sections splits on the splitter + digits, case-sensitively", () => {
    const id = "detectable_format:multiple_sections";
    const text = "SECTION 1\nA\nSECTION 2\nB";
    expect(strict(id, { section_spliter: "SECTION", num_sections: 2 }, text)).toBe(true);
    expect(strict(id, { section_spliter: "SECTION", num_sections: 3 }, text)).toBe(false);
    expect(strict(id, { section_spliter: "Section", num_sections: 1 }, text)).toBe(false);
    expect(strict(id, { section_spliter: "SECTION", num_sections: 1 }, "SUBSECTION 2")).toBe(true);
  });

  it("detectable_format:json_format accepts fenced JSON, NaN, and rejects prose or trailing commas", () => {
    const id = "detectable_format:json_format";
    expect(strict(id, {}, '```json\n{"a": [1, 2]}\n```')).toBe(true);
    expect(strict(id, {}, "```JSON\n[NaN, Infinity, -Infinity]\n```")).toBe(true);
    expect(strict(id, {}, '{"a": 1,}')).toBe(false);
    expect(strict(id, {}, 'Here: ```json\n{"a": 1}\n```')).toBe(false);
    expect(strict(id, {}, "1NaN")).toBe(false);
  });

  it("detectable_format:title needs <<non-blank>> on one line", () => {
    const id = "detectable_format:title";
    expect(strict(id, {}, "<<Poem of Joy>>\ntext")).toBe(true);
    expect(strict(id, {}, "<<  >> text")).toBe(false);
    expect(strict(id, {}, "<<a\nb>>")).toBe(false);
  });

  it("combination:two_responses needs exactly two different parts split by ******", () => {
    const id = "combination:two_responses";
    expect(strict(id, {}, "First.\n******\nSecond.")).toBe(true);
    expect(strict(id, {}, "Same.\n******\nSame.")).toBe(false);
    expect(strict(id, {}, "A\n******\n******\nB")).toBe(false);
    expect(strict(id, {}, "A\n******\nB\n******\nC")).toBe(false);
  });

  it("combination:repeat_prompt: the lower-cased stripped response starts with the prompt", () => {
    const id = "combination:repeat_prompt";
    expect(strict(id, { prompt_to_repeat: "Write a Poem." }, "  write a poem. Here it is.")).toBe(true);
    expect(strict(id, { prompt_to_repeat: "Write a poem." }, "Sure! Write a poem.")).toBe(false);
  });

  it("startend:end_checker strips whitespace then quotes, case-insensitive", () => {
    const id = "startend:end_checker";
    expect(strict(id, { end_phrase: "Any other questions?" }, 'Text. "any other questions?"  ')).toBe(true);
    expect(strict(id, { end_phrase: "Any other questions?" }, "Any other questions? Bye.")).toBe(false);
  });

  it("change_case:capital_word_frequency uses word_tokenize: CAN'T is two capital words, I counts", () => {
    const id = "change_case:capital_word_frequency";
    expect(strict(id, { capital_frequency: 5, capital_relation: LEAST }, "I CAN'T DO THIS.")).toBe(true);
    expect(strict(id, { capital_frequency: 6, capital_relation: LEAST }, "I CAN'T DO THIS.")).toBe(false);
    expect(strict(id, { capital_frequency: 2, capital_relation: LESS }, "The U.S.A. is big.")).toBe(true);
  });

  it("change_case:english_capital is isupper() and langdetect 'en'", () => {
    const id = "change_case:english_capital";
    expect(strict(id, {}, "THIS IS ALL CAPS ENGLISH TEXT ABOUT THE WEATHER TODAY.")).toBe(true);
    expect(strict(id, {}, "THIS IS ALMOST all caps English text about the weather.")).toBe(false);
    expect(strict(id, {}, "LE TEMPS EST ENSOLEILLÉ ET CHAUD AUJOURD'HUI, DONC NOUS IRONS AU PARC APRÈS LE DÉJEUNER.")).toBe(false);
    expect(strict(id, {}, "123 !!!")).toBe(false); // no cased letter: isupper() is false
  });

  it("change_case:english_lowercase is islower() and langdetect 'en'; loose may drop a signature line", () => {
    const id = "change_case:english_lowercase";
    const body = "this is an english sentence about the weather and the park today.";
    expect(strict(id, {}, body)).toBe(true);
    expect(strict(id, {}, body + "\n[Your Name]")).toBe(false);
    expect(loose(id, {}, body + "\n[Your Name]")).toBe(true);
    expect(strict(id, {}, "dies ist ein deutscher satz über das wetter und den park.")).toBe(false);
  });

  it("punctuation:no_comma", () => {
    expect(strict("punctuation:no_comma", {}, "No commas here.")).toBe(true);
    expect(strict("punctuation:no_comma", {}, "One, two.")).toBe(false);
  });

  it("startend:quotation needs ASCII double quotes at both stripped ends", () => {
    const id = "startend:quotation";
    expect(strict(id, {}, '  "Quoted."\n')).toBe(true);
    expect(strict(id, {}, '"')).toBe(false);
    expect(strict(id, {}, "“Curly.”")).toBe(false);
  });
});
