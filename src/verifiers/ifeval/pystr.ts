/**
 * Python `str` semantics the reference relies on (CPython 3.11), so that verdicts match
 * byte for byte: whitespace for strip()/split(), and isupper()/islower() over cased letters.
 */

/**
 * Python whitespace (`str.isspace()`) as the body of a RegExp character class. JavaScript's `\s`
 * differs: it has U+FEFF and lacks U+001C..U+001F and U+0085.
 */
export const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);

/** Python `s.strip()` with no argument. */
export function pyStrip(s: string): string {
  return pyRstrip(s.replace(LEADING_SPACE, ""));
}

/** Python `s.rstrip()` with no argument (done without a backtracking-prone `$` search). */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPySpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Python `str.isspace()` for one UTF-16 code unit (every Python space is in the BMP). */
export function isPySpace(c: number): boolean {
  return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** True if the string is empty after Python's strip(), i.e. `not s.strip()`. */
export function pyIsBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isPySpace(s.charCodeAt(i))) return false;
  return true;
}

/** Python `s.split()` with no argument: split on whitespace runs, dropping empty parts. */
export function pySplitWhitespace(s: string): string[] {
  const parts: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isPySpace(s.charCodeAt(i))) {
      if (start >= 0) parts.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) parts.push(s.slice(start));
  return parts;
}

/** Python `s.strip(chars)`: strips any of the given characters from both ends. */
export function pyStripChars(s: string, chars: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s[start]!)) start++;
  while (end > start && chars.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** Python `s.lstrip(chars)`. */
export function pyLstripChars(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s[start]!)) start++;
  return s.slice(start);
}

/** Python `s.rstrip(chars)`. */
export function pyRstripChars(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

const UPPER = /\p{Uppercase}/u;
const LOWER = /\p{Lowercase}/u;
const TITLE = /\p{Lt}/u;
const HAS_UPPER_OR_TITLE = /[\p{Uppercase}\p{Lt}]/u;
const HAS_LOWER_OR_TITLE = /[\p{Lowercase}\p{Lt}]/u;

/** Python `s.isupper()`: at least one cased character and none lowercase or titlecase. */
export function pyIsUpper(s: string): boolean {
  return UPPER.test(s) && !HAS_LOWER_OR_TITLE.test(s);
}

/** Python `s.islower()`: at least one cased character and none uppercase or titlecase. */
export function pyIsLower(s: string): boolean {
  return LOWER.test(s) && !HAS_UPPER_OR_TITLE.test(s);
}

/** Python `ch.isupper()` for one character (a code point). */
export function pyCharIsUpper(ch: string): boolean {
  return UPPER.test(ch) && !LOWER.test(ch) && !TITLE.test(ch);
}

/** Python `ch.islower()` for one character (a code point). */
export function pyCharIsLower(ch: string): boolean {
  return LOWER.test(ch) && !UPPER.test(ch) && !TITLE.test(ch);
}

/** Python's Unicode `\w` (str patterns): letters, all numeric categories and `_`; not combining marks. */
export const PY_WORD_CLASS = "\\p{L}\\p{N}_";

const WORD_CHAR = new RegExp(`[${PY_WORD_CLASS}]`, "u");
/** `isPyWordCodePoint` of each BMP code point: 0 not yet known, 1 no, 2 yes. */
const wordCache = new Uint8Array(0x10000);

/** Whether one code point is Python's `\w` (ASCII answered directly, the rest cached per BMP code point). */
export function isPyWordCodePoint(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
  if (cp > 0xffff) return WORD_CHAR.test(String.fromCodePoint(cp));
  let known = wordCache[cp]!;
  if (known === 0) wordCache[cp] = known = WORD_CHAR.test(String.fromCharCode(cp)) ? 2 : 1;
  return known === 2;
}

/** Count code-point occurrences of one character, as Python's `collections.Counter(s)[ch]`. */
export function countChar(s: string, ch: string): number {
  if (ch.length === 0) return 0;
  let n = 0;
  let at = s.indexOf(ch);
  while (at !== -1) {
    n++;
    at = s.indexOf(ch, at + ch.length);
  }
  return n;
}

/**
 * Lower-case each character by its simple (one-to-one) Unicode mapping, as Python's `re` does for
 * IGNORECASE matching; unlike `toLowerCase`, "İ" (U+0130) becomes "i", so lengths are preserved.
 * (A contextual final sigma from toLowerCase folds equal to "σ" under the `i` flag.)
 */
export function pySimpleLower(s: string): string {
  return (s.includes("\u0130") ? s.replaceAll("\u0130", "i") : s).toLowerCase();
}
