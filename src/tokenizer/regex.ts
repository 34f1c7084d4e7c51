import { TokenizerError } from "./errors.js";

/**
 * Translate the subset of Oniguruma regex syntax that byte-level BPE tokenizer.json files use into an equivalent
 * JavaScript RegExp (flags `gu`). HF's Rust `tokenizers` compiles `Split` patterns with Oniguruma (Ruby syntax, UTF-8,
 * Unicode classes); where JavaScript's meaning differs, this rewrites it:
 *
 * - `\s` / `\S`: Oniguruma's Unicode `\s` is exactly the White_Space property (it includes U+0085 NEL and excludes
 *   U+FEFF); JavaScript's `\s` is the reverse on both, so `\s` becomes `\p{White_Space}`.
 * - `(?i:...)`: Node 20 has no inline modifiers; each letter in the group becomes a class of its simple case-fold
 *   equivalents (Oniguruma folds with Unicode CaseFolding, so `s` also matches U+017F LONG S and `k` U+212A KELVIN).
 * - `.` matches anything but `\n` in Oniguruma (JavaScript also excludes `\r`, U+2028, U+2029).
 *
 * Anything else whose meaning could differ (possessive quantifiers, atomic groups, anchors, `\w`, `\b`, nested
 * classes, `&&`, classes inside `(?i:)`) is rejected with an error rather than guessed.
 */
export function onigurumaToJs(pattern: string, where = "tokenizer.json"): RegExp {
  const fail = (why: string, at: number): never => {
    throw new TokenizerError(where, `pre_tokenizer Split pattern: ${why} at index ${at} of ${JSON.stringify(pattern)}`);
  };
  let out = "";
  const groupIsCaseless: boolean[] = [];
  let caseless = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const [text, next] = translateEscape(pattern, i, false, fail);
      out += caseless ? foldLiteralEscape(text) : text;
      i = next;
    } else if (ch === "[") {
      if (caseless) fail("character class inside (?i:)", i);
      const [text, next] = translateClass(pattern, i, fail);
      out += text;
      i = next;
    } else if (ch === "(") {
      if (pattern.startsWith("(?i:", i)) {
        groupIsCaseless.push(caseless);
        caseless = true;
        out += "(?:";
        i += 4;
      } else {
        const prefix = /^\((?:\?(?::|=|!|<=|<!))?/.exec(pattern.slice(i))![0];
        if (prefix === "(" && pattern[i + 1] === "?") fail("unsupported group syntax", i);
        groupIsCaseless.push(caseless);
        out += prefix;
        i += prefix.length;
      }
    } else if (ch === ")") {
      if (groupIsCaseless.length === 0) fail("unbalanced ')'", i);
      caseless = groupIsCaseless.pop()!;
      out += ")";
      i++;
    } else if (ch === "+" || ch === "*" || ch === "?" || ch === "}") {
      out += ch;
      i++;
      if (pattern[i] === "+") fail("possessive quantifier", i);
    } else if (ch === "{") {
      const m = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
      if (!m) fail("'{' that is not a quantifier", i);
      out += m![0];
      i += m![0].length;
      if (pattern[i] === "+") fail("possessive quantifier", i);
    } else if (ch === ".") {
      out += "[^\\n]";
      i++;
    } else if (ch === "|") {
      out += "|";
      i++;
    } else if (ch === "^" || ch === "$") {
      fail("anchor", i);
    } else {
      const cp = String.fromCodePoint(pattern.codePointAt(i)!);
      out += caseless ? foldChar(cp) : escapeLiteral(cp);
      i += cp.length;
    }
  }
  if (groupIsCaseless.length > 0) fail("unclosed group", pattern.length);
  try {
    return new RegExp(out, "gu");
  } catch (err) {
    throw new TokenizerError(where, `pre_tokenizer Split pattern does not compile (${(err as Error).message})`);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\\n", r: "\\r", t: "\\t", f: "\\f", v: "\\v", a: "\\x07", e: "\\x1B" };

/** One escape sequence starting at `i`; returns its JS text and the index after it. */
function translateEscape(
  pattern: string,
  i: number,
  inClass: boolean,
  fail: (why: string, at: number) => never,
): [string, number] {
  const next = pattern[i + 1];
  if (next === undefined) return fail("trailing backslash", i);
  if (next === "s") return ["\\p{White_Space}", i + 2];
  if (next === "S") return inClass ? fail("\\S inside a class", i) : ["\\P{White_Space}", i + 2];
  if (next === "d") return ["\\p{Nd}", i + 2];
  if (next === "D") return inClass ? fail("\\D inside a class", i) : ["\\P{Nd}", i + 2];
  if (next === "p" || next === "P") {
    const m = /^\\[pP]\{\^?[A-Za-z_=]+\}/.exec(pattern.slice(i));
    if (!m) return fail("malformed \\p{...}", i);
    const body = m[0].slice(3, -1);
    const negate = body.startsWith("^") !== (next === "P");
    return [`\\${negate ? "P" : "p"}{${body.replace(/^\^/, "")}}`, i + m[0].length];
  }
  if (next === "x") {
    const m = /^\\x(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(pattern.slice(i));
    if (!m) return fail("malformed \\x escape", i);
    return [`\\u{${m[1] ?? m[2]}}`, i + m[0].length];
  }
  if (next === "u") {
    const m = /^\\u[0-9A-Fa-f]{4}/.exec(pattern.slice(i));
    if (!m) return fail("malformed \\u escape", i);
    return [m[0], i + 6];
  }
  if (SIMPLE_ESCAPES[next]) return [SIMPLE_ESCAPES[next]!, i + 2];
  if (/[A-Za-z0-9]/.test(next)) return fail(`unsupported escape \\${next}`, i);
  const cp = String.fromCodePoint(pattern.codePointAt(i + 1)!);
  return [escapeLiteral(cp, inClass), i + 1 + cp.length];
}

/** A `[...]` class starting at `i` (no nesting, no `&&`, no POSIX brackets). */
function translateClass(pattern: string, i: number, fail: (why: string, at: number) => never): [string, number] {
  let out = "[";
  let j = i + 1;
  if (pattern[j] === "^") {
    out += "^";
    j++;
  }
  let first = true;
  while (j < pattern.length) {
    const ch = pattern[j]!;
    if (ch === "]" && !first) return [out + "]", j + 1];
    if (ch === "[") fail("nested class or POSIX bracket", j);
    if (ch === "&" && pattern[j + 1] === "&") fail("class intersection", j);
    if (ch === "\\") {
      const [text, next] = translateEscape(pattern, j, true, fail);
      out += text;
      j = next;
    } else {
      const cp = String.fromCodePoint(pattern.codePointAt(j)!);
      out += cp === "-" ? "-" : escapeLiteral(cp, true); // an unescaped '-' is a range, as in Oniguruma
      j += cp.length;
    }
    first = false;
  }
  return fail("unclosed character class", i);
}

/** A literal character in JS `u`-mode syntax: outside a class the syntax characters need a backslash, inside a class `\ ] [ ^ -`. */
function escapeLiteral(cp: string, inClass = false): string {
  return (inClass ? /[\\\]\[^-]/ : /[\\^$.*+?()[\]{}|/]/).test(cp) ? `\\${cp}` : cp;
}

/** Extra members of simple case-fold classes beyond lower/upper case (Unicode CaseFolding.txt, status C/S). */
const EXTRA_FOLDS: Record<string, string> = { s: "\u017f", k: "\u212a", "\u00e5": "\u212b" };

function foldChar(cp: string): string {
  const lower = cp.toLowerCase();
  const members = new Set([cp, lower, cp.toUpperCase()].filter((c) => [...c].length === 1));
  const extra = EXTRA_FOLDS[lower];
  if (extra) members.add(extra);
  if (members.size === 1) return escapeLiteral(cp);
  return `[${[...members].map((c) => escapeLiteral(c, true)).join("")}]`;
}

/** Escapes inside (?i:) that denote a single literal letter (e.g. \x41) are folded like literals. */
function foldLiteralEscape(text: string): string {
  const m = /^\\u\{([0-9A-Fa-f]+)\}$/.exec(text);
  return m ? foldChar(String.fromCodePoint(parseInt(m[1]!, 16))) : text;
}
