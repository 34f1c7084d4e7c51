/**
 * Python string semantics the reference code relies on, written without backtracking regexes:
 * `str.replace` (all occurrences), `str.isdigit`, `int()` syntax, code-point indexing.
 */

/** Python `s.replace(a, b)`: every non-overlapping occurrence, left to right. */
export function pyReplace(s: string, a: string, b: string): string {
  return s.includes(a) ? s.split(a).join(b) : s;
}

/** Python `str.isdigit()`: non-empty and every character a digit (decimal digits, super/subscripts). */
export function pyIsDigit(s: string): boolean {
  return s.length > 0 && /^[\p{Nd}\u00B2\u00B3\u00B9\u2070\u2074-\u2079\u2080-\u2089]+$/u.test(s);
}

/** Python `len(s)`: code points, not UTF-16 units. */
export function pyLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** The code point at UTF-16 index i as a string (one or two units), or "" past the end. */
export function codePointAt(s: string, i: number): string {
  if (i >= s.length) return "";
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? s.slice(i, i + 2) : s[i]!;
}

const PY_INT = /^\s*[+-]?\p{Nd}+(?:_\p{Nd}+)*\s*$/u;

/** Python `int(s)` for a str: the canonical decimal, or throws ValueError like Python does. */
export function pyInt(s: string): string {
  if (!PY_INT.test(s)) throw new Error(`ValueError: invalid literal for int(): ${JSON.stringify(s.slice(0, 40))}`);
  let digits = "";
  let negative = false;
  for (const ch of s.trim()) {
    if (ch === "-") negative = true;
    else if (ch !== "+" && ch !== "_") digits += String(digitValue(ch));
  }
  const value = BigInt(digits);
  return (negative && value !== 0n ? "-" : "") + value.toString();
}

/** The value 0-9 of a Unicode decimal digit (Nd digits come in contiguous runs of ten starting at 0). */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  for (let zero = cp; zero > cp - 10; zero--) {
    if (!/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) return cp - zero;
  }
  return 0;
}
