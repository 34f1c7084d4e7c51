/**
 * The Tülu 3 RLVR-IF constraint format: `{"func_name": "validate_lowercase", ...kwargs}`, scored
 * by open-instruct's `IFEvalVerifierOld` with the 25 functions of `open_instruct/if_functions.py`
 * (`IF_FUNCTIONS_MAP`). These are NOT Google's IFEval checks: they are simpler and sometimes
 * different (exact counts, substring keywords, `text == text.lower()`), and reproducing Tülu 3's
 * rewards needs exactly them, so they are ported as they are.
 */
import { VerifierSpecError } from "../../errors.js";
import type { Check } from "./instructions.js";
import { detectLanguage } from "./langdetect/index.js";
import { isJsonLikePython } from "./pyjson.js";
import { PY_WORD_BOUNDARY } from "./pyregex.js";
import { PY_SPACE, pySplitWhitespace, pyStrip } from "./pystr.js";

type Args = Record<string, unknown>;
/** The legacy functions read the response text only, so they take it as a string. */
type TextCheck = (text: string) => boolean;
type Legacy = { params: string[]; build: (a: Args) => TextCheck };

const W = "[\\p{L}\\p{N}_]";
const WORDS = new RegExp(`${PY_WORD_BOUNDARY}${W}+${PY_WORD_BOUNDARY}`, "gu");
const CAPITAL_WORDS = new RegExp(`${PY_WORD_BOUNDARY}[A-Z]+${PY_WORD_BOUNDARY}`, "gu");
const SENTENCE_SPLIT = new RegExp(`(?<!${W}\\.${W}[^\\n])(?<![A-Z][a-z]\\.)(?<=\\.|\\?|!)[${PY_SPACE}]`, "u");
/** Python str.splitlines() boundaries. */
const LINE_BREAK = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/;

const str = (a: Args, k: string) => a[k] as string;
const num = (a: Args, k: string) => a[k] as number;
const count = (re: RegExp, s: string) => s.match(re)?.length ?? 0;

/** Python's round() (half to even), which the "around" tolerance uses. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function quantified(actual: number, n: number, quantifier: string, aroundTolerance: number): boolean {
  if (quantifier === "at least") return actual >= n;
  if (quantifier === "at most") return actual <= n;
  if (quantifier === "around") return Math.abs(actual - n) <= aroundTolerance;
  return false;
}

const LEGACY: Record<string, Legacy> = {
  verify_keywords: { params: ["keyword_list"], build: (a) => (t) => (a.keyword_list as string[]).every((k) => t.toLowerCase().includes(k.toLowerCase())) },
  verify_keyword_frequency: {
    params: ["word", "N"],
    build: (a) => (t) => (t.toLowerCase().match(WORDS) ?? []).filter((w) => w === str(a, "word").toLowerCase()).length === num(a, "N"),
  },
  validate_forbidden_words: { params: ["forbidden_words"], build: (a) => (t) => !(a.forbidden_words as string[]).some((w) => t.toLowerCase().includes(w.toLowerCase())) },
  verify_letter_frequency: {
    params: ["letter", "N"],
    build: (a) => {
      if ([...str(a, "letter")].length !== 1) throw new VerifierSpecError("ifeval: ground_truth.letter: must be a single character");
      return (t) => t.split(str(a, "letter")).length - 1 === num(a, "N");
    },
  },
  validate_response_language: { params: ["language"], build: (a) => (t) => detectLanguage(t) === str(a, "language") },
  verify_paragraph_count: {
    params: ["N"],
    build: (a) => (t) => {
      const cleaned = pyStrip(t.split(LINE_BREAK).map(pyStrip).join("\n"));
      const parts = cleaned.split("* * *");
      return parts.every((p) => pyStrip(p) !== "") && parts.length === num(a, "N");
    },
  },
  validate_word_constraint: {
    params: ["N", "quantifier"],
    build: (a) => (t) => quantified(pySplitWhitespace(t).length, num(a, "N"), str(a, "quantifier"), Math.max(pyRound(num(a, "N") * 0.1), 1)),
  },
  verify_sentence_constraint: {
    params: ["N", "quantifier"],
    build: (a) => (t) => quantified(t.split(SENTENCE_SPLIT).length, num(a, "N"), str(a, "quantifier"), 1),
  },
  validate_paragraphs: {
    params: ["N", "first_word", "i"],
    build: (a) => (t) => {
      const paragraphs = t.split("\n\n");
      if (paragraphs.length !== num(a, "N")) return false;
      const index = num(a, "i") - 1 < 0 ? num(a, "i") - 1 + paragraphs.length : num(a, "i") - 1;
      const p = paragraphs[index];
      return p !== undefined && pyStrip(p).startsWith(str(a, "first_word"));
    },
  },
  verify_postscript: {
    params: ["postscript_marker"],
    build: (a) => (t) => {
      const marker = str(a, "postscript_marker");
      const at = t.indexOf(marker);
      return at >= 0 && [...pyStrip(t.slice(at))].length > [...marker].length;
    },
  },
  validate_placeholders: { params: ["N"], build: (a) => (t) => count(/\[[^\n]*?\]/g, t) >= num(a, "N") },
  verify_bullet_points: {
    params: ["N"],
    build: (a) => (t) => t.split("\n").filter((l) => /^[*-]/.test(pyStrip(l))).length === num(a, "N"),
  },
  validate_title: { params: [], build: () => (t) => /<<[^\n]*?>>/.test(t) },
  validate_choice: { params: ["options"], build: (a) => (t) => (a.options as string[]).some((o) => t.includes(String(o))) },
  validate_highlighted_sections: { params: ["N"], build: (a) => (t) => count(/\*[^\n]*?\*/g, t) >= num(a, "N") },
  validate_sections: {
    params: ["N", "section_splitter"],
    build: (a) => {
      const escaped = str(a, "section_splitter").replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
      const re = new RegExp(`[${PY_SPACE}]?${escaped}[${PY_SPACE}]?\\p{Nd}+[${PY_SPACE}]?`, "giu");
      return (t) => count(re, t) >= num(a, "N");
    },
  },
  validate_json_format: { params: [], build: () => (t) => isJsonLikePython(t) },
  validate_repeat_prompt: { params: ["original_prompt"], build: (a) => (t) => t.startsWith(str(a, "original_prompt")) },
  validate_two_responses: {
    params: [],
    build: () => (t) => {
      const parts = t.split("******");
      return parts.length === 2 && pyStrip(parts[0]!) !== pyStrip(parts[1]!);
    },
  },
  validate_uppercase: { params: [], build: () => (t) => t === t.toUpperCase() },
  validate_lowercase: { params: [], build: () => (t) => t === t.toLowerCase() },
  validate_frequency_capital_words: {
    params: ["N", "quantifier"],
    build: (a) => (t) => quantified(count(CAPITAL_WORDS, t), num(a, "N"), str(a, "quantifier"), Math.max(pyRound(num(a, "N") * 0.1), 1)),
  },
  validate_end: { params: ["end_phrase"], build: (a) => (t) => t.endsWith(str(a, "end_phrase")) },
  validate_quotation: { params: [], build: () => (t) => t.startsWith('"') && t.endsWith('"') },
  validate_no_commas: { params: [], build: () => (t) => !t.includes(",") },
};

const LIST_PARAMS = new Set(["keyword_list", "forbidden_words", "options"]);
const NUMBER_PARAMS = new Set(["N", "i"]);

/**
 * Build the check for one legacy constraint. `usesRawResponse` mirrors IFEvalVerifierOld: with no
 * argument besides func_name it scores the raw prediction, otherwise the thinking-stripped answer.
 */
export function buildLegacyCheck(constraint: Record<string, unknown>): { id: string; check: Check; usesRawResponse: boolean } {
  const { func_name: funcName, ...rest } = constraint;
  const legacy = typeof funcName === "string" ? LEGACY[funcName] : undefined;
  if (!legacy) {
    throw new VerifierSpecError(`ifeval: ground_truth.func_name: unknown function ${JSON.stringify(funcName)} (known: ${Object.keys(LEGACY).join(", ")})`);
  }
  const args: Args = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined));
  for (const key of Object.keys(args)) {
    if (!legacy.params.includes(key)) throw new VerifierSpecError(`ifeval: ground_truth.${key}: unexpected argument for ${funcName}`);
  }
  for (const key of legacy.params) {
    const v = args[key];
    const ok = LIST_PARAMS.has(key) ? Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")
      : NUMBER_PARAMS.has(key) ? typeof v === "number" && Number.isFinite(v) : typeof v === "string";
    if (!ok) throw new VerifierSpecError(`ifeval: ground_truth.${key}: missing or wrong type for ${funcName} (got ${JSON.stringify(v)})`);
  }
  const check = legacy.build(args);
  return { id: funcName as string, check: (v) => check(v.text), usesRawResponse: Object.keys(rest).length === 0 };
}
