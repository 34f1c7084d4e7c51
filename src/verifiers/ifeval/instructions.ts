/**
 * The 25 IFEval instructions, each a builder from kwargs to a check on one response (a view of
 * its text that computes tokenisations and language detection once; see views.ts).
 * Semantics follow google-research `instruction_following_eval/instructions.py`
 * (commit 3f357bde; `check_following` of each class), including its surprises
 * (see the quirk list in this folder's README-style comments in `index.ts`).
 */
import { VerifierSpecError } from "../../errors.js";
import { compare, KwargsReader } from "./kwargs.js";
import { compilePythonRegex, countMatches, isLiteral, PY_WORD_BOUNDARY, searchMatches, translatePythonRegex } from "./pyregex.js";
import {
  countChar, isPyWordCodePoint, PY_SPACE, pyIsBlank, pyLstripChars, pySplitWhitespace, pyStrip, pyStripChars,
} from "./pystr.js";
import { isJsonLikePython } from "./pyjson.js";
import { countBullets, countPlaceholders, hasTitle } from "./scanners.js";
import { LANGUAGE_CODES } from "./langdetect/index.js";
import type { ResponseView } from "./views.js";

/** One instruction's check on one response (its text and derived views). */
export type Check = (response: ResponseView) => boolean;
type Builder = (k: KwargsReader) => Check;

const CONSTRAINED_RESPONSES = ["My answer is yes.", "My answer is no.", "My answer is maybe."];
const HIGHLIGHT = /\*[^\n*]*\*/g;
const DOUBLE_HIGHLIGHT = /\*\*[^\n*]*\*\*/g;
const PARAGRAPH_DIVIDER = new RegExp(`[${PY_SPACE}]?\\*\\*\\*[${PY_SPACE}]?`);
/** `\s*p\.\s?p\.\s?s.*$` searched: the `\s*` prefix and `.*$` suffix always match, so only the core matters. */
const PS_PPS = new RegExp(`p\\.[${PY_SPACE}]?p\\.[${PY_SPACE}]?s`);
const PS_PS = new RegExp(`p\\.[${PY_SPACE}]?s\\.`);

/** `detect(value) == lang`, where a LangDetectException (no usable letters) counts as followed. */
function languageIs(value: ResponseView, lang: string): boolean {
  const detected = value.language;
  return detected === null ? true : detected === lang;
}

function matchAll(re: RegExp, text: string): string[] {
  re.lastIndex = 0;
  return text.match(re) ?? [];
}

const BUILDERS: Record<string, Builder> = {
  "keywords:existence": (k) => {
    const res = k.stringList("keywords").map((kw, i) => compilePythonRegex(kw, `${k.where}.keywords[${i}]`));
    return (v) => res.every((re) => searchMatches(re, v.simpleLower));
  },
  "keywords:frequency": (k) => {
    const re = compilePythonRegex(pyStrip(k.nonEmptyString("keyword")), `${k.where}.keyword`);
    const frequency = k.number("frequency");
    const relation = k.relation("relation");
    return (v) => compare(countMatches(re, v.simpleLower), relation, frequency);
  },
  "keywords:forbidden_words": (k) => {
    const found = k.stringList("forbidden_words").map((w, i) => {
      const field = `${k.where}.forbidden_words[${i}]`;
      if (isLiteral(w)) return literalWordSearch(compilePythonRegex(w, field));
      const re = compileBoundaryRegex(translatePythonRegex(w, field, true), field);
      return (v: string) => re.test(v);
    });
    return (v) => !found.some((f) => f(v.simpleLower));
  },
  "keywords:letter_frequency": (k) => {
    const raw = k.nonEmptyString("letter");
    if ([...raw].length > 1) {
      throw new VerifierSpecError(`ifeval: ${k.where}.letter: must be one character (the reference randomises longer values)`);
    }
    const letter = pyStrip(raw).toLowerCase();
    const frequency = k.number("let_frequency");
    const relation = k.relation("let_relation");
    return (v) => compare(countChar(v.lower, letter), relation, frequency);
  },
  "language:response_language": (k) => {
    const language = k.string("language");
    if (!LANGUAGE_CODES.includes(language)) {
      throw new VerifierSpecError(`ifeval: ${k.where}.language: ${JSON.stringify(language)} is not one of IFEval's codes (${LANGUAGE_CODES.join(", ")})`);
    }
    return (v) => languageIs(v, language);
  },
  "length_constraints:number_sentences": (k) => {
    const n = k.number("num_sentences");
    const relation = k.relation("relation");
    return (v) => compare(v.sentenceCount, relation, n);
  },
  "length_constraints:number_paragraphs": (k) => {
    const n = k.number("num_paragraphs");
    return (v) => {
      const parts = v.text.split(PARAGRAPH_DIVIDER);
      let count = parts.length;
      for (let i = 0; i < parts.length; i++) {
        if (!pyIsBlank(parts[i]!)) continue;
        if (i === 0 || i === parts.length - 1) count--;
        else return false;
      }
      return count === n;
    };
  },
  "length_constraints:number_words": (k) => {
    const n = k.number("num_words");
    const relation = k.relation("relation");
    return (v) => compare(v.wordCount, relation, n);
  },
  "length_constraints:nth_paragraph_first_word": (k) => {
    const num = k.number("num_paragraphs");
    const nth = k.number("nth_paragraph", 1);
    if (nth > num) throw new VerifierSpecError(`ifeval: ${k.where}.nth_paragraph: ${nth} exceeds num_paragraphs ${num}`);
    const firstWord = k.string("first_word").toLowerCase();
    return (v) => nthParagraphFirstWord(v.text, num, nth, firstWord);
  },
  "detectable_content:number_placeholders": (k) => {
    const n = k.number("num_placeholders");
    return (v) => countPlaceholders(v.text) >= n;
  },
  "detectable_content:postscript": (k) => {
    const marker = pyStrip(k.string("postscript_marker"));
    const re = marker === "P.P.S" ? PS_PPS : marker === "P.S." ? PS_PS
      : new RegExp(translatePythonRegex(marker.toLowerCase(), `${k.where}.postscript_marker`), "u");
    return (v) => re.test(v.lower);
  },
  "detectable_format:number_bullet_lists": (k) => {
    const n = k.number("num_bullets");
    return (v) => countBullets(v.text) === n;
  },
  "detectable_format:constrained_response": () => (v) => CONSTRAINED_RESPONSES.some((o) => v.stripped.includes(o)),
  "detectable_format:number_highlighted_sections": (k) => {
    const n = k.number("num_highlights");
    return (v) => {
      let count = 0;
      for (const h of matchAll(HIGHLIGHT, v.text)) if (!pyIsBlank(pyStripChars(h, "*"))) count++;
      for (const h of matchAll(DOUBLE_HIGHLIGHT, v.text)) if (!pyIsBlank(h.slice(2, -2))) count++;
      return count >= n;
    };
  },
  "detectable_format:multiple_sections": (k) => {
    const splitter = pyStrip(k.string("section_spliter"));
    const n = k.number("num_sections");
    const body = translatePythonRegex(splitter, `${k.where}.section_spliter`);
    const re = new RegExp(`[${PY_SPACE}]?${body}[${PY_SPACE}]?\\p{Nd}+[${PY_SPACE}]?`, "gu");
    // re.split returns one extra part per capture group per match.
    const perMatch = 1 + new RegExp(`${body}|`, "u").exec("")!.length - 1;
    return (v) => countMatches(re, v.text) * perMatch >= n;
  },
  "detectable_format:json_format": () => (v) => {
    let s = v.stripped;
    for (const fence of ["```json", "```Json", "```JSON", "```"]) if (s.startsWith(fence)) s = s.slice(fence.length);
    if (s.endsWith("```")) s = s.slice(0, -3);
    return isJsonLikePython(pyStrip(s));
  },
  "detectable_format:title": () => (v) => hasTitle(v.text),
  "combination:two_responses": () => (v) => {
    const parts = v.text.split("******");
    const valid: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (pyIsBlank(parts[i]!)) {
        if (i !== 0 && i !== parts.length - 1) return false;
      } else valid.push(parts[i]!);
    }
    return valid.length === 2 && pyStrip(valid[0]!) !== pyStrip(valid[1]!);
  },
  "combination:repeat_prompt": (k) => {
    const prompt = pyStrip(k.nonEmptyString("prompt_to_repeat")).toLowerCase();
    return (v) => v.stripped.toLowerCase().startsWith(prompt);
  },
  "startend:end_checker": (k) => {
    const phrase = pyStrip(pyStrip(k.string("end_phrase"))).toLowerCase();
    return (v) => pyStripChars(v.stripped, '"').toLowerCase().endsWith(phrase);
  },
  "change_case:capital_word_frequency": (k) => {
    const n = k.number("capital_frequency", -Infinity);
    const relation = k.relation("capital_relation");
    return (v) => compare(v.capitalWordCount, relation, n);
  },
  "change_case:english_capital": () => (v) => v.isUpper && languageIs(v, "en"),
  "change_case:english_lowercase": () => (v) => v.isLower && languageIs(v, "en"),
  "punctuation:no_comma": () => (v) => !v.text.includes(","),
  "startend:quotation": () => (v) => {
    const s = v.stripped;
    return [...s].length > 1 && s.startsWith('"') && s.endsWith('"');
  },
};

/** `re.search(r"\b" + word + r"\b", value, flags=re.IGNORECASE)` with Python's Unicode `\b`. */
function compileBoundaryRegex(body: string, field: string): RegExp {
  try {
    return new RegExp(`${PY_WORD_BOUNDARY}${body}${PY_WORD_BOUNDARY}`, "iu");
  } catch (e) {
    throw new VerifierSpecError(`ifeval: ${field}: does not compile as a regex: ${(e as Error).message}`);
  }
}

const isWordCodePoint = (cp: number | undefined) => cp !== undefined && isPyWordCodePoint(cp);

/** Python's `\b` at UTF-16 index i of s. */
function isBoundary(s: string, i: number): boolean {
  const before = i === 0 ? undefined : i >= 2 && /[\udc00-\udfff]/.test(s[i - 1]!) ? s.codePointAt(i - 2) : s.codePointAt(i - 1);
  return isWordCodePoint(before) !== isWordCodePoint(s.codePointAt(i));
}

/**
 * `re.search(r"\b" + word + r"\b", v, re.IGNORECASE)` for a literal word, without lookarounds at
 * every position (slow in V8): find each case-insensitive occurrence, then test both boundaries.
 */
function literalWordSearch(re: RegExp): (v: string) => boolean {
  return (v) => {
    re.lastIndex = 0;
    for (let m = re.exec(v); m; m = re.exec(v)) {
      if (isBoundary(v, m.index) && isBoundary(v, m.index + m[0].length)) return true;
      re.lastIndex = m.index + (v.codePointAt(m.index)! > 0xffff ? 2 : 1);
    }
    return false;
  };
}

function nthParagraphFirstWord(v: string, num: number, nth: number, firstWord: string): boolean {
  const paragraphs = v.split("\n\n");
  let count = paragraphs.length;
  for (const p of paragraphs) if (pyIsBlank(p)) count--;
  if (nth > count) return false;
  const paragraph = pyStrip(paragraphs[nth - 1]!);
  if (!paragraph) return false;
  let word = pyStrip(pySplitWhitespace(paragraph)[0]!);
  word = pyLstripChars(pyLstripChars(word, "'"), '"');
  let first = "";
  for (const ch of word) {
    if (".,?!'\"".includes(ch)) break;
    first += ch.toLowerCase();
  }
  return count === num && first === firstWord;
}

/** The 25 instruction ids IFEval defines. */
export const INSTRUCTION_IDS: readonly string[] = Object.keys(BUILDERS);

/** Validate kwargs for one instruction and return its check. Throws VerifierSpecError on a bad id or kwargs. */
export function buildCheck(id: string, kwargs: Record<string, unknown>, where: string): Check {
  const builder = BUILDERS[id];
  if (!builder) {
    throw new VerifierSpecError(`ifeval: ${where}: unknown instruction id ${JSON.stringify(id)} (known: ${INSTRUCTION_IDS.join(", ")})`);
  }
  const reader = new KwargsReader(kwargs, `${where} (${id})`);
  const check = builder(reader);
  reader.finish();
  return check;
}
