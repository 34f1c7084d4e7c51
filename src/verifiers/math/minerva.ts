/**
 * Minerva's `normalize_final_answer` (Lewkowycz et al. 2022, appendix D) as open-instruct's math_utils.py has
 * it. The regular expressions of the original are re-implemented as linear scans with Python's semantics
 * (`.` stops at a newline; `re.sub` replaces non-overlapping matches left to right), so hostile input cannot
 * trigger backtracking.
 */
import { codePointAt, pyIsDigit, pyReplace } from "./pystr.js";

const SUBSTITUTIONS: readonly [string, string][] = [
  ["an ", ""],
  ["a ", ""],
  [".$", "$"],
  ["\\$", ""],
  ["\\ ", ""],
  [" ", ""],
  ["mbox", "text"],
  [",\\text{and}", ","],
  ["\\text{and}", ","],
  ["\\text{m}", "\\text{}"],
];

const REMOVED_EXPRESSIONS: readonly string[] = [
  "square", "ways", "integers", "dollars", "mph", "inches", "ft", "hours", "km", "units", "\\ldots", "sue",
  "points", "feet", "minutes", "digits", "cents", "degrees", "cm", "gm", "pounds", "meters", "meals", "edges",
  "students", "childrentickets", "multiples", "\\text{s}", "\\text{.}", "\\text{\ns}", "\\text{}^2",
  "\\text{}^3", "\\text{\n}", "\\text{}", "\\mathrm{th}", "^\\circ", "^{\\circ}", "\\;", ",\\!", "{,}", '"',
  "\\dots",
];

/** `re.sub(r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$", s)`: each line with two `$` becomes `$<first math>$`. */
function keepFirstMath(s: string): string {
  return s
    .split("\n")
    .map((line) => {
      const a = line.indexOf("$");
      const b = a < 0 ? -1 : line.indexOf("$", a + 1);
      return b < 0 ? line : "$" + line.slice(a + 1, b) + "$";
    })
    .join("\n");
}

/**
 * `re.sub(r"(<cmd>\{)(.*?)(\})", "\\2", s)` (lazy) or, with greedy, `(.*)`: unwraps `<cmd>{...}` whose closing
 * brace is the first (lazy) or last (greedy) `}` on the same line.
 */
function unwrapCommand(s: string, open: string, greedy: boolean): string {
  let out = "";
  let from = 0;
  // Line ends and brace positions are cached as the scan moves right, keeping hostile input linear.
  let lineEnd = -1;
  let lastCloseOnLine = -1;
  let nextClose = -1;
  for (let at = s.indexOf(open); at >= 0; at = s.indexOf(open, at + 1)) {
    if (at < from) continue;
    const bodyStart = at + open.length;
    if (lineEnd < bodyStart) {
      const newline = s.indexOf("\n", bodyStart);
      lineEnd = newline < 0 ? s.length : newline;
      lastCloseOnLine = s.lastIndexOf("}", lineEnd - 1);
    }
    if (nextClose < bodyStart) {
      nextClose = s.indexOf("}", bodyStart);
      if (nextClose < 0) nextClose = s.length;
    }
    const close = greedy ? lastCloseOnLine : nextClose;
    if (close >= bodyStart && close < lineEnd) {
      out += s.slice(from, at) + s.slice(bodyStart, close);
      from = close + 1;
    }
  }
  return out + s.slice(from);
}

/** `re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", s)` then `re.sub(r"(sqrt)([^{])", "sqrt{\\2}", s)`. */
function bracePlainArguments(s: string, word: "frac" | "sqrt"): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s.startsWith(word, i)) {
      const a = codePointAt(s, i + 4);
      if (a !== "" && a !== "{") {
        if (word === "sqrt") {
          out += "sqrt{" + a + "}";
          i += 4 + a.length;
          continue;
        }
        const b = codePointAt(s, i + 4 + a.length);
        if (b !== "" && b !== "\n") {
          out += "frac{" + a + "}{" + b + "}";
          i += 4 + a.length + b.length;
          continue;
        }
      }
    }
    const c = codePointAt(s, i);
    out += c;
    i += c.length;
  }
  return out;
}

/** Minerva `normalize_final_answer`. */
export function normalizeFinalAnswer(finalAnswer: string): string {
  let s = finalAnswer.split("=").pop()!;
  for (const [before, after] of SUBSTITUTIONS) s = pyReplace(s, before, after);
  for (const expr of REMOVED_EXPRESSIONS) s = pyReplace(s, expr, "");
  s = keepFirstMath(s);
  s = unwrapCommand(s, "\\text{", false);
  s = unwrapCommand(s, "\\textbf{", false);
  s = unwrapCommand(s, "\\overline{", false);
  s = unwrapCommand(s, "\\boxed{", true);
  s = bracePlainArguments(s, "frac");
  s = bracePlainArguments(s, "sqrt");
  s = pyReplace(s, "$", "");
  if (pyIsDigit(pyReplace(s, ",", ""))) s = pyReplace(s, ",", "");
  return s;
}
