/**
 * Python `re` patterns from a spec (IFEval keywords, forbidden words, section splitter, postscript
 * marker) translated to equivalent JavaScript RegExps, with Python's Unicode meaning of `\w`, `\d`,
 * `\s`, `\b` and `.`, and with patterns that could backtrack catastrophically refused.
 *
 * The reference passes these strings to `re.search` unescaped, so metacharacters are live and the
 * spec decides the pattern; a spec we cannot run safely is the spec's fault (VerifierSpecError).
 */
import { VerifierSpecError } from "../../errors.js";
import { PY_SPACE, PY_WORD_CLASS, pySimpleLower } from "./pystr.js";

const W = `[${PY_WORD_CLASS}]`;
/** Python's `\b`: a word character on exactly one side. */
export const PY_WORD_BOUNDARY = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;
const PY_NOT_BOUNDARY = `(?:(?<=${W})(?=${W})|(?<!${W})(?!${W}))`;

const MAX_PATTERN_LENGTH = 1000;
const META = /[.^$*+?{}[\]\\|()]/;
const SYNTAX_CHARS = "^$\\.*+?()[]{}|/";

interface GroupState {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/** True if the pattern has no regex metacharacter, so it matches itself literally. */
export function isLiteral(pattern: string): boolean {
  return !META.test(pattern);
}

/**
 * Translate a Python regex to a JS source string (for the `u` flag). With `lower`, literal
 * characters are lower-cased by their simple mapping, for IGNORECASE matching against text
 * lowered by pySimpleLower (how Python's `re` compares characters). Throws VerifierSpecError
 * when unsupported or unsafe.
 */
export function translatePythonRegex(pattern: string, field: string, lower = false): string {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new VerifierSpecError(`ifeval: ${field}: pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  if (!META.test(pattern)) return escapeLiteral(lower ? pySimpleLower(pattern) : pattern);
  const fail = (why: string): never => {
    throw new VerifierSpecError(`ifeval: ${field}: regex ${JSON.stringify(pattern)} is not supported: ${why}`);
  };
  let out = "";
  const stack: GroupState[] = [{ hasQuantifier: false, hasAlternation: false }];
  let lastAtomWasGroup: GroupState | null = null;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (ch === "\\") {
      const [js, len] = translateEscape(pattern, i, false, fail);
      out += js;
      i += len;
      lastAtomWasGroup = null;
      continue;
    }
    if (ch === "[") {
      const [js, len] = translateClass(pattern, i, fail);
      out += js;
      i += len;
      lastAtomWasGroup = null;
      continue;
    }
    if (ch === "(") {
      if (pattern.startsWith("(?#", i)) {
        const close = pattern.indexOf(")", i);
        if (close < 0) fail("unterminated comment");
        i = close + 1;
        continue;
      }
      if (pattern.startsWith("(?P<", i)) {
        out += "(?<";
        i += 4;
      } else if (pattern.startsWith("(?P=", i) || /^\(\?[aiLmsux-]/.test(pattern.slice(i, i + 3))) {
        fail("named back-references and inline flags are not supported");
      } else if (pattern.startsWith("(?", i)) {
        const kind = pattern.slice(i, i + 4);
        const ok = ["(?:", "(?=", "(?!"].some((p) => kind.startsWith(p)) || kind === "(?<=" || kind === "(?<!";
        if (!ok) fail("unsupported group syntax");
        const len = kind === "(?<=" || kind === "(?<!" ? 4 : 3;
        out += pattern.slice(i, i + len);
        i += len;
      } else {
        out += "(";
        i += 1;
      }
      stack.push({ hasQuantifier: false, hasAlternation: false });
      lastAtomWasGroup = null;
      continue;
    }
    if (ch === ")") {
      if (stack.length === 1) fail("unbalanced parenthesis");
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      parent.hasQuantifier ||= group.hasQuantifier;
      out += ")";
      i += 1;
      lastAtomWasGroup = group;
      continue;
    }
    if (ch === "*" || ch === "+" || ch === "?" || (ch === "{" && isQuantifierBrace(pattern, i))) {
      const end = ch === "{" ? pattern.indexOf("}", i) + 1 : i + 1;
      let q = pattern.slice(i, end);
      let next = end;
      if (pattern[next] === "?") {
        q += "?";
        next++;
      }
      if (lastAtomWasGroup && (lastAtomWasGroup.hasQuantifier || lastAtomWasGroup.hasAlternation)) {
        fail("a quantified group containing a quantifier or alternation can backtrack catastrophically");
      }
      top.hasQuantifier = true;
      out += q;
      i = next;
      lastAtomWasGroup = null;
      continue;
    }
    if (ch === "{" || ch === "}") {
      out += "\\" + ch;
    } else if (ch === "|") {
      top.hasAlternation = true;
      out += "|";
    } else if (ch === ".") {
      out += "[^\\n]";
    } else if (ch === "$") {
      out += "(?=\\n?$)";
    } else {
      out += lower ? pySimpleLower(ch) : ch;
    }
    i += 1;
    lastAtomWasGroup = null;
  }
  if (stack.length !== 1) fail("unbalanced parenthesis");
  return out;
}

function isQuantifierBrace(p: string, i: number): boolean {
  return /^\{\d*(?:,\d*)?\}/.test(p.slice(i, i + 24)) && p[i + 1] !== "}";
}

function escapeLiteral(s: string): string {
  let out = "";
  for (const ch of s) out += SYNTAX_CHARS.includes(ch) || ch === "-" ? "\\" + ch : ch;
  return out;
}

/** One escape sequence at p[i] == "\\"; returns its JS translation and the length consumed. */
function translateEscape(p: string, i: number, inClass: boolean, fail: (why: string) => never): [string, number] {
  const c = p[i + 1];
  if (c === undefined) fail("trailing backslash");
  switch (c) {
    case "w":
      return [inClass ? PY_WORD_CLASS : W, 2];
    case "d":
      return ["\\p{Nd}", 2];
    case "D":
      return inClass ? fail("\\D inside a character class") : ["\\P{Nd}", 2];
    case "s":
      return [inClass ? PY_SPACE : `[${PY_SPACE}]`, 2];
    case "S":
      return inClass ? fail("\\S inside a character class") : [`[^${PY_SPACE}]`, 2];
    case "W":
      return inClass ? fail("\\W inside a character class") : [`[^${PY_WORD_CLASS}]`, 2];
    case "b":
      return [inClass ? "\\x08" : PY_WORD_BOUNDARY, 2];
    case "B":
      return inClass ? fail("\\B inside a character class") : [PY_NOT_BOUNDARY, 2];
    case "A":
      return ["^", 2];
    case "Z":
      return ["$", 2];
    case "n": case "t": case "r": case "f": case "v":
      return ["\\" + c, 2];
    case "x": {
      const hex = p.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail("bad \\x escape");
      return ["\\x" + hex, 4];
    }
    case "u": {
      const hex = p.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
      return ["\\u" + hex, 6];
    }
    default:
      if (/[0-9]/.test(c!)) fail("back-references and octal escapes are not supported");
      if (/[A-Za-z]/.test(c!)) fail(`unknown escape \\${c}`);
      return [SYNTAX_CHARS.includes(c!) || c === "-" ? "\\" + c : c!, 2];
  }
}

/** A character class starting at p[i] == "["; Python treats a leading "]" as a literal. */
function translateClass(p: string, i: number, fail: (why: string) => never): [string, number] {
  let j = i + 1;
  let out = "[";
  if (p[j] === "^") {
    out += "^";
    j++;
  }
  let first = true;
  while (j < p.length) {
    const c = p[j]!;
    if (c === "]" && !first) return [out + "]", j + 1 - i];
    if (c === "\\") {
      const [js, len] = translateEscape(p, j, true, fail);
      out += js;
      j += len;
    } else {
      out += c === "]" || c === "[" || c === "/" ? "\\" + c : c;
      j++;
    }
    first = false;
  }
  return fail("unterminated character class");
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 2000;

/**
 * A compiled, cached, global case-insensitive RegExp for a Python pattern used with re.IGNORECASE:
 * match it against `pySimpleLower(text)` (lengths are unchanged, so indices carry over).
 */
export function compilePythonRegex(pattern: string, field: string, flags = "giu"): RegExp {
  const key = flags + "\u0000" + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  const source = translatePythonRegex(pattern, field, true);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    throw new VerifierSpecError(`ifeval: ${field}: regex ${JSON.stringify(pattern)} does not compile: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

/** Number of non-overlapping matches, as `len(re.findall(...))` (empty matches advance one code point). */
export function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  for (;;) {
    const m = re.exec(text);
    if (!m) return n;
    n++;
    if (m[0].length === 0) re.lastIndex += 1;
  }
}

/** Whether the pattern matches anywhere, as `re.search(...)`. */
export function searchMatches(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  const found = re.test(text);
  re.lastIndex = 0;
  return found;
}
