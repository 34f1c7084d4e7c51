/**
 * NLTK's Punkt sentence tokenizer (nltk 3.8 `nltk/tokenize/punkt.py`, Kiss & Strunk 2006) with the
 * English model's parameters, ported for `count_sentences` and `word_tokenize`.
 *
 * Flow (PunktSentenceTokenizer.span_tokenize): every `.`, `?`, `!` followed by punctuation or by
 * whitespace + a token is a candidate; its context (the word before, the mark, the next token) is
 * word-tokenized and annotated in two passes (first: abbreviation / ellipsis / sentence break by
 * type; second: collocation, orthographic and sentence-starter heuristics); candidates that hold
 * a break cut the text; closing quotes and brackets are then realigned onto the sentence before.
 */
import { PY_SPACE, pyCharIsLower, pyCharIsUpper, pyRstrip } from "./pystr.js";
import { ABBREV_TYPES, COLLOCATIONS, orthoContext, SENT_STARTERS } from "./punkt-params.js";
import { type PeriodContext, periodContexts, punktWordTokens } from "./punkt-scan.js";

const S = `[${PY_SPACE}]`;
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${S}+|(?=--)|(?=\\n)|$)`, "u");
const NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const INITIAL = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
const ELLIPSIS = /^\.\.+$/;
const PUNCTUATION = new Set([";", ":", ",", ".", "!", "?"]);

const ORTHO_MID_UC = 1 << 2;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_UC = (1 << 1) | (1 << 2) | (1 << 3);
const ORTHO_LC = (1 << 4) | (1 << 5) | (1 << 6);

class Token {
  readonly type: string;
  readonly periodFinal: boolean;
  sentbreak = false;
  abbr = false;
  ellipsis = false;

  constructor(readonly tok: string) {
    const lower = tok.toLowerCase();
    this.type = NUMERIC.test(lower) ? "##number##" : lower;
    this.periodFinal = tok.endsWith(".");
  }
  get typeNoPeriod(): string {
    return this.type.length > 1 && this.type.endsWith(".") ? this.type.slice(0, -1) : this.type;
  }
  get typeNoSentperiod(): string {
    return this.sentbreak ? this.typeNoPeriod : this.type;
  }
  private get firstChar(): string {
    return String.fromCodePoint(this.tok.codePointAt(0)!);
  }
  get firstUpper(): boolean {
    return pyCharIsUpper(this.firstChar);
  }
  get firstLower(): boolean {
    return pyCharIsLower(this.firstChar);
  }
}

/** PunktLanguageVars.word_tokenize over each non-blank line (PunktBaseClass._tokenize_words). */
function tokenizeWords(text: string): Token[] {
  const tokens: Token[] = [];
  for (const line of text.split("\n")) {
    for (const tok of punktWordTokens(line)) tokens.push(new Token(tok));
  }
  return tokens;
}

function firstPass(t: Token): void {
  const tok = t.tok;
  if (tok === "." || tok === "?" || tok === "!") t.sentbreak = true;
  else if (ELLIPSIS.test(tok)) t.ellipsis = true;
  else if (t.periodFinal && !tok.endsWith("..")) {
    const stem = tok.slice(0, -1).toLowerCase();
    const lastPart = stem.split("-").pop()!;
    if (ABBREV_TYPES.has(stem) || ABBREV_TYPES.has(lastPart)) t.abbr = true;
    else t.sentbreak = true;
  }
}

/** PunktSentenceTokenizer._ortho_heuristic: true, false or "unknown". */
function orthoHeuristic(t: Token): boolean | "unknown" {
  if (PUNCTUATION.has(t.tok)) return false;
  const ctx = orthoContext(t.typeNoSentperiod);
  if (t.firstUpper && ctx & ORTHO_LC && !(ctx & ORTHO_MID_UC)) return true;
  if (t.firstLower && (ctx & ORTHO_UC || !(ctx & ORTHO_BEG_LC))) return false;
  return "unknown";
}

/** PunktSentenceTokenizer._second_pass_annotation for the pair (t1, t2). */
function secondPass(t1: Token, t2: Token): void {
  if (!t1.periodFinal) return;
  const typ = t1.typeNoPeriod;
  const nextTyp = t2.typeNoSentperiod;
  const isInitial = INITIAL.test(t1.tok);
  if (COLLOCATIONS.has(typ + " " + nextTyp)) {
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  if ((t1.abbr || t1.ellipsis) && !isInitial) {
    const starter = orthoHeuristic(t2);
    if (starter === true) {
      t1.sentbreak = true;
      return;
    }
    if (t2.firstUpper && SENT_STARTERS.has(nextTyp)) {
      t1.sentbreak = true;
      return;
    }
  }
  if (isInitial || typ === "##number##") {
    const starter = orthoHeuristic(t2);
    if (starter === false) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (starter === "unknown" && isInitial && t2.firstUpper && !(orthoContext(nextTyp) & ORTHO_LC)) {
      t1.sentbreak = false;
      t1.abbr = true;
    }
  }
}

/** PunktSentenceTokenizer.text_contains_sentbreak: a break followed by at least one more token. */
function containsSentbreak(context: string): boolean {
  const tokens = tokenizeWords(context);
  for (const t of tokens) firstPass(t);
  for (let i = 0; i < tokens.length; i++) {
    if (i + 1 < tokens.length) secondPass(tokens[i]!, tokens[i + 1]!);
    if (tokens[i]!.sentbreak) return i + 1 < tokens.length;
  }
  return false;
}

/** Index in text[from .. to) of its last ASCII whitespace (Python's string.whitespace), or 0. */
function lastWhitespaceIndex(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return i - from;
  }
  return 0;
}

interface Candidate { end: number; nextStart: number | undefined; context: string }

/** PunktSentenceTokenizer._match_potential_end_contexts: candidates, dropping those whose word overlaps the previous one. */
function potentialEnds(text: string): Candidate[] {
  const out: Candidate[] = [];
  let prevStart = 0;
  let prevStop = 0;
  let prev: PeriodContext | null = null;
  const emit = (m: PeriodContext, start: number, stop: number) => {
    out.push({ end: m.index + 1, nextStart: m.nextStart, context: text.slice(start, stop) + text[m.index] + m.after });
  };
  for (const m of periodContexts(text)) {
    let wordStart = lastWhitespaceIndex(text, prevStop, m.index);
    wordStart = wordStart ? wordStart + prevStop + 1 : prevStart;
    if (prev && prevStop <= wordStart) emit(prev, prevStart, prevStop);
    prev = m;
    prevStart = wordStart;
    prevStop = m.index;
  }
  if (prev) emit(prev, prevStart, prevStop);
  return out;
}

/**
 * Whether a candidate's context holds a sentence break, by context string. The verdict depends on
 * the context alone, and the loose-mode variants of a response repeat most of its contexts.
 */
export type PunktMemo = Map<string, boolean>;

/**
 * Sentence spans [start, end) as PunktSentenceTokenizer.span_tokenize(text) yields them; `memo`
 * (shared by the texts of one verification) keeps each context's verdict.
 */
export function sentenceSpans(text: string, memo?: PunktMemo): [number, number][] {
  const slices: [number, number][] = [];
  let lastBreak = 0;
  for (const c of potentialEnds(text)) {
    let isBreak = memo?.get(c.context);
    if (isBreak === undefined) {
      isBreak = containsSentbreak(c.context);
      memo?.set(c.context, isBreak);
    }
    if (!isBreak) continue;
    slices.push([lastBreak, c.end]);
    lastBreak = c.nextStart ?? c.end;
  }
  slices.push([lastBreak, pyRstrip(text).length]);
  return realign(text, slices);
}

/** PunktSentenceTokenizer._realign_boundaries. */
function realign(text: string, slices: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let shift = 0;
  for (let i = 0; i < slices.length; i++) {
    const s1: [number, number] = [slices[i]![0] + shift, slices[i]![1]];
    const s2 = slices[i + 1];
    if (!s2) {
      if (s1[1] > s1[0]) out.push(s1);
      continue;
    }
    const m = BOUNDARY_REALIGNMENT.exec(text.slice(s2[0], s2[1]));
    if (m) {
      out.push([s1[0], s2[0] + pyRstrip(m[0]).length]);
      shift = m[0].length;
    } else {
      shift = 0;
      if (s1[1] > s1[0]) out.push(s1);
    }
  }
  return out;
}

/** `nltk.sent_tokenize(text)` with the English model (`memo`: see sentenceSpans). */
export function sentTokenize(text: string, memo?: PunktMemo): string[] {
  return sentenceSpans(text, memo).map(([s, e]) => text.slice(s, e));
}
