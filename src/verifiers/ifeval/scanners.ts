/**
 * Linear-time equivalents of reference regexes that backtrack quadratically on hostile input
 * (a line of 100,000 "[" takes `re.findall(r"\[.*?\]")` seconds in Python and in V8 alike).
 * Each returns exactly what the regex's `findall` would, derived from the regex's semantics.
 */
import { isPySpace, pyIsBlank, pyLstripChars, pyRstripChars } from "./pystr.js";

/** The end of the line containing i: the index of the next "\n" at or after i, or s.length. */
function lineEnd(s: string, i: number): number {
  const nl = s.indexOf("\n", i);
  return nl < 0 ? s.length : nl;
}

/**
 * `len(re.findall(r"\[.*?\]", s))`: from each "[" the shortest span to a "]" on the same line.
 * If the first "]" after a "[" is past the line end, no "[" later on that line can match either.
 */
export function countPlaceholders(s: string): number {
  let count = 0;
  let p = 0;
  for (;;) {
    const open = s.indexOf("[", p);
    if (open < 0) return count;
    const end = lineEnd(s, open);
    let close = -1;
    for (let j = open + 1; j < end; j++) {
      if (s.charCodeAt(j) === 0x5d) {
        close = j;
        break;
      }
    }
    if (close >= 0) {
      count++;
      p = close + 1;
    } else {
      p = end + 1;
    }
  }
}

/**
 * `re.findall(r"<<[^\n]+>>", s)`, each match tested for non-blank content once stripped of "<"
 * and ">": greedy, so a match from "<<" at i ends at the last ">>" of the line starting at i + 3
 * or later; with none, no later "<<" on that line matches either.
 */
export function hasTitle(s: string): boolean {
  let p = 0;
  for (;;) {
    const open = s.indexOf("<<", p);
    if (open < 0) return false;
    const end = lineEnd(s, open);
    const close = end - 2 >= open + 3 ? s.lastIndexOf(">>", end - 2) : -1;
    if (close >= open + 3) {
      if (!pyIsBlank(pyRstripChars(pyLstripChars(s.slice(open, close + 2), "<"), ">"))) return true;
      p = close + 2;
    } else {
      p = end + 1;
    }
  }
}

/**
 * `len(re.findall(r"^\s*\*[^\*].*$", s, re.M)) + len(re.findall(r"^\s*-.*$", s, re.M))`.
 * A match starts at a line start, skips whitespace (newlines included, as Python's `\s` does),
 * needs "*" plus one non-"*" character (which may be "\n") or "-", then runs to the line end.
 * A failed attempt fails for every line start inside the same whitespace run, so the scan
 * resumes at the line after the first non-space character.
 */
export function countBullets(s: string): number {
  const countFor = (star: boolean): number => {
    let count = 0;
    let p = 0;
    while (p <= s.length) {
      let k = p;
      while (k < s.length && isPySpace(s.charCodeAt(k))) k++;
      const c = s.charCodeAt(k);
      const matched = star ? c === 0x2a && k + 1 < s.length && s.charCodeAt(k + 1) !== 0x2a : c === 0x2d;
      if (matched) {
        count++;
        const e = lineEnd(s, k + (star ? 2 : 1));
        // The next search starts at e; the next line start at or after it.
        p = e > 0 && s.charCodeAt(e - 1) === 0x0a ? e : e + 1;
      } else {
        p = lineEnd(s, k) + 1;
      }
    }
    return count;
  };
  return countFor(true) + countFor(false);
}
