/**
 * Linear scanners for the two regexes Punkt runs over text (nltk 3.8 `PunktLanguageVars`), which
 * in V8 cost more than everything else Punkt does: `_word_tokenize_fmt` (word tokens of one line)
 * and `_period_context_fmt` (candidate sentence ends). Each gives exactly the regex's matches;
 * punkt-scan.test.ts checks them against the regexes on random strings.
 *
 *   word token:  MultiChar | (?=WordStart)\S+?(?=\s|$|NonWord|MultiChar|,(?=$|\s|NonWord|MultiChar)) | \S
 *   MultiChar:   -{2,} | \.{2,} | (?:\.\s){2,}\.
 *   period:      [.?!](?=(?P<after>NonWord|\s+(?P<next>\S+)))
 *
 * All the characters these patterns name are in the BMP, so scanning UTF-16 code units never
 * ends a token inside a surrogate pair.
 */
import { isPySpace } from "./pystr.js";

/** `_re_non_word_chars`: ) " ; } ] * : @ ' ( { [ ! ? */
const NON_WORD = new Set([...")\";}]*:@'({[!?"].map((c) => c.charCodeAt(0)));
/** Characters `_re_word_start` excludes: ( " ` { [ : ; & # * @ ) } ] - , */
const NOT_WORD_START = new Set([..."(\"`{[:;&#*@)}]-,"].map((c) => c.charCodeAt(0)));
const DASH = 0x2d;
const DOT = 0x2e;
const COMMA = 0x2c;

/** Length of the MultiChar match at i in s[.. end), or 0 (the first alternative that matches wins). */
function multiCharAt(s: string, i: number, end: number): number {
  const c = s.charCodeAt(i);
  if (c === DASH) {
    let j = i;
    while (j < end && s.charCodeAt(j) === DASH) j++;
    return j - i >= 2 ? j - i : 0;
  }
  if (c !== DOT || i + 1 >= end) return 0;
  if (s.charCodeAt(i + 1) === DOT) {
    let j = i;
    while (j < end && s.charCodeAt(j) === DOT) j++;
    return j - i;
  }
  // (?:\.\s){2,}\. : r greedy repetitions, then a ".", giving back one repetition if needed.
  let r = 0;
  let j = i;
  while (j + 1 < end && s.charCodeAt(j) === DOT && isPySpace(s.charCodeAt(j + 1))) {
    r++;
    j += 2;
  }
  if (r >= 2 && j < end && s.charCodeAt(j) === DOT) return 2 * r + 1;
  return r >= 3 ? 2 * r - 1 : 0;
}

/** Whether a word token may end before position q (the lookahead after `\S+?`). */
function wordEndsAt(s: string, q: number, end: number): boolean {
  if (q >= end) return true;
  const c = s.charCodeAt(q);
  if (isPySpace(c) || NON_WORD.has(c) || multiCharAt(s, q, end) > 0) return true;
  if (c !== COMMA) return false;
  return q + 1 >= end || isPySpace(s.charCodeAt(q + 1)) || NON_WORD.has(s.charCodeAt(q + 1)) || multiCharAt(s, q + 1, end) > 0;
}

/** `re.findall(_word_tokenize_fmt, line)` for a line without "\n". */
export function punktWordTokens(line: string): string[] {
  const tokens: string[] = [];
  const end = line.length;
  let p = 0;
  while (p < end) {
    const c = line.charCodeAt(p);
    if (isPySpace(c)) {
      p++;
      continue;
    }
    let q = p + multiCharAt(line, p, end);
    if (q === p) {
      q = p + 1;
      if (!NOT_WORD_START.has(c)) while (!wordEndsAt(line, q, end)) q++;
    }
    tokens.push(line.slice(p, q));
    p = q;
  }
  return tokens;
}

export interface PeriodContext {
  /** Index of the ".", "?" or "!". */
  index: number;
  /** The `after` group: the non-word character, or the whitespace and the next token. */
  after: string;
  /** Start of the `next` group (the next token), undefined when `after` is a non-word character. */
  nextStart: number | undefined;
}

/** `re.finditer(_period_context_fmt, text)`. */
export function periodContexts(text: string): PeriodContext[] {
  const out: PeriodContext[] = [];
  const end = text.length;
  for (let i = 0; i + 1 < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== DOT && c !== 0x3f && c !== 0x21) continue;
    const d = text.charCodeAt(i + 1);
    if (NON_WORD.has(d)) {
      out.push({ index: i, after: text[i + 1]!, nextStart: undefined });
    } else if (isPySpace(d)) {
      let j = i + 1;
      while (j < end && isPySpace(text.charCodeAt(j))) j++;
      if (j === end) continue;
      let k = j;
      while (k < end && !isPySpace(text.charCodeAt(k))) k++;
      out.push({ index: i, after: text.slice(i + 1, k), nextStart: j });
    }
  }
  return out;
}
