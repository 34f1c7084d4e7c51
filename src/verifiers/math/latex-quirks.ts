/**
 * Two sympy parse_latex behaviours that are easier to state on the token list and the factor list than inside the
 * recursive descent: how a period that cannot be a decimal point splits the digits before it, and
 * `convert_postfix_list`'s product of adjacent factors.
 */
import type { Node } from "./ast.js";
import type { Token } from "./latex-lexer.js";

/**
 * How ANTLR's prediction treats a `.` that cannot be a decimal point, measured against sympy 1.14 (the
 * prediction's lookahead runs into the dead `.` and then prefers the alternative that leaves the number):
 * - after a non-digit (`x.`, `(12).`): the parse ends before it;
 * - after an integer run d1..dn without a digit next: d1 · d2 · ... · d(n-1) and the parse ends (`11.` = 1,
 *   `1234.` = 1·2·3, `x+12.` = x+1); a single digit `7.` reaches the `.` and fails;
 * - after a last thousands group: the group is dropped (`1,234.` = 1, `1,234,567.` = 1234);
 * - after decimals b1..bm (m >= 2): bm starts a new number if a digit follows (`1.25.3` = 1.2·5.3), else it is
 *   dropped (`3.14.` = 3.1); with one decimal the parse ends (`1.5.` = 1.5).
 * Returns the tokens to parse: cut at the end of the parse, with `boundary` marks where a number must end.
 */
export function resolveDeadPeriods(tokens: Token[]): Token[] {
  const eofAt = (i: number): Token[] => [...tokens.slice(0, i), { kind: "EOF", text: "" }];
  let intStart = -1; // first DIGIT of the current integer run (-1: not in a number)
  let lastGroup = -1; // index of the COMMA of the current number's last thousands group
  let decStart = -1; // first decimal DIGIT of the current number
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "CMD_FRAC") {
      // `\frac38`: the single-digit numerator and denominator are not a number run.
      const fracAt = i;
      while (tokens[i + 1]?.kind === "DIGIT" && i < fracAt + 2) i++;
      intStart = lastGroup = decStart = -1;
      continue;
    }
    if (t.kind === "DIGIT") {
      if (intStart < 0 && decStart < 0) intStart = i;
      continue;
    }
    const digitNext = tokens[i + 1]?.kind === "DIGIT";
    if (t.kind === "COMMA" && intStart >= 0 && decStart < 0 && [1, 2, 3].every((k) => tokens[i + k]?.kind === "DIGIT") && tokens[i + 4]?.kind !== "DIGIT") {
      lastGroup = i;
      i += 3;
      continue;
    }
    if (t.kind !== "PERIOD") {
      intStart = lastGroup = decStart = -1;
      continue;
    }
    // The lookahead that splits the digits reads the token after the period: a lexer error there fails the parse.
    const cut = (at: number): Token[] =>
      tokens[i + 1]?.kind === "ERROR" && tokens[i - 1]?.kind === "DIGIT" ? [...tokens.slice(0, at), tokens[i + 1]!] : eofAt(at);
    if (decStart >= 0) {
      const m = i - decStart;
      if (m < 2) return cut(i);
      if (!digitNext) return cut(i - 1);
      tokens[i - 1] = { ...tokens[i - 1]!, boundary: true };
      decStart = i + 1;
      i++;
      continue;
    }
    if (intStart < 0) return cut(i);
    if (digitNext) {
      decStart = i + 1;
      i++;
      continue;
    }
    if (lastGroup >= 0) return cut(lastGroup);
    const n = i - intStart;
    if (n < 2) return tokens; // the parser reaches `d.` and fails there
    for (let k = intStart + 1; k < i - 1; k++) tokens[k] = { ...tokens[k]!, boundary: true };
    return cut(i - 1);
  }
  return tokens;
}

/**
 * `convert_postfix_list`: adjacent factors multiply, except that a lone symbol `x` between two factors
 * without symbols is read as a times sign (`2 x 3` = 6).
 */
export function postfixProduct(factors: Node[]): Node {
  const mul = (a: Node, b: Node): Node => ({ k: "mul", a, b });
  const kept: Node[] = [];
  for (let i = 0; i < factors.length; i++) {
    const f = factors[i]!;
    const isTimesX = i > 0 && i < factors.length - 1 && f.k === "sym" && f.name === "x" &&
      !containsSym(factors[i - 1]!) && !containsSym(factors[i + 1]!);
    if (!isTimesX) kept.push(f);
  }
  return kept.reduceRight((acc, f) => mul(f, acc));
}

/** Whether a tree has a Symbol atom (`expr.atoms(Symbol)` is non-empty). */
function containsSym(n: Node): boolean {
  switch (n.k) {
    case "sym": return true;
    case "num": case "inf": return false;
    case "add": case "mul": case "pow": case "rel": return containsSym(n.a) || containsSym(n.b);
    case "neg": case "fn": return containsSym(n.a);
    case "log": return containsSym(n.a) || (typeof n.base === "object" && containsSym(n.base));
    case "root": return containsSym(n.a) || containsSym(n.n);
    case "binom": return containsSym(n.n) || containsSym(n.r);
    case "call": return n.args.some(containsSym);
  }
}

