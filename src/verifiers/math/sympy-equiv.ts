/**
 * open-instruct's sympy `is_equiv(x1, x2)` (math_utils.py): `parse_latex` both strings, then
 * `sympy.simplify(x1 - x2) == 0`, with every error (parse failure, relation minus number, timeout) = False.
 *
 * The simplify half is emulated by value:
 * - identical trees cancel (parse_latex builds them unevaluated), unless a term is an infinite number;
 * - rational trees (integers, fractions, integer powers, factorials, binomials, perfect-square roots) are
 *   compared exactly;
 * - trees with a decimal literal (a sympy Float) and no symbol are compared in doubles without tolerance, as
 *   sympy's 53-bit Float arithmetic does: 0.375 = 3/8, but 0.6667 ≠ 2/3 and 0.1 + 0.2 ≠ 0.3; a literal of more
 *   than 15 significant digits keeps that precision in sympy, so it is compared as its exact decimal
 *   (0.42857142857142855 ≠ 3/7);
 * - everything else is evaluated at SAMPLES seeded complex points (free symbols are generic complex numbers in
 *   sympy, so sqrt(x^2) ≠ x) and must agree within a relative tolerance at every point.
 * Where sympy's simplify cannot prove a true identity this says equal; that is rare for final answers.
 * Numbers past rational.ts's MAX_BITS (where sympy itself would run into is_equiv's 5 s timeout) are unequal.
 * Measured against sympy 1.14 (parse_latex + simplify): 400/400 + 500/500 generated answer pairs, 50/50
 * identities with radicals, logs and polynomials.
 */
import type { Deadline } from "../deadline.js";
import { freeSymbols, hasFloat, printNode, type Node } from "./ast.js";
import * as cx from "./complex.js";
import { exactValue, NotExact, numericValue, rationalSubtrees, type Env } from "./evaluate.js";
import { LatexParseError } from "./latex-lexer.js";
import { LatexLexError, parseLatex, UnsupportedLatex } from "./latex-parser.js";
import { TooBig } from "./rational.js";

const SAMPLES = 3;
const TOLERANCE = 1e-9;
const FLOAT_WITH_SYMBOLS_TOLERANCE = 1e-12;
/** sympy Floats keep max(15, digits given) decimal digits. */
const LONG_FLOAT_DIGITS = 16;

export type SympyOutcome = { equal: boolean; reason?: string };

/** Deterministic sample point for a symbol (FNV-1a hash of the name, mixed with the sample index). */
function samplePoint(name: string, sample: number): cx.C {
  let h = 2166136261 ^ (sample * 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  h >>>= 0;
  const re = 0.35 + ((h % 10007) / 10007) * 1.9;
  const im = 0.15 + (((h >>> 7) % 10009) / 10009) * 0.9;
  return cx.c(h & 1 ? re : -re, im);
}

function parse(s: string, deadline: Deadline): Node | string {
  try {
    return parseLatex(s, deadline);
  } catch (err) {
    if (err instanceof LatexParseError || err instanceof LatexLexError || err instanceof UnsupportedLatex) return `${err.name}: ${err.message}`;
    throw err;
  }
}

function exactOrNull(node: Node, deadline: Deadline, decimalsExact = false) {
  try {
    return exactValue(node, deadline, undefined, decimalsExact);
  } catch (err) {
    if (err instanceof NotExact) return null;
    throw err;
  }
}

/**
 * Whether `a - a` is nan in sympy rather than 0: parse_latex builds unevaluated trees, so identical terms cancel
 * (log(0) - log(0) = 0, 10^(10^10) - 10^(10^10) = 0) unless a term is itself a number that is infinite
 * (oo, 1/0 = zoo), whose arithmetic gives nan.
 */
function selfDifferenceIsNan(node: Node): boolean {
  switch (node.k) {
    case "inf": return true;
    case "add": return selfDifferenceIsNan(node.a) || selfDifferenceIsNan(node.b);
    case "neg": return selfDifferenceIsNan(node.a);
    case "pow":
      return node.a.k === "num" && Number(node.a.text) === 0 && (node.b.k === "neg" || (node.b.k === "num" && node.b.text.startsWith("-")));
    default: return node.k === "num" && node.text === "nan";
  }
}

/** Value comparison of two parsed trees, as `simplify(a - b) == 0`. */
export function treesEqual(a: Node, b: Node, deadline: Deadline): SympyOutcome {
  if (a.k === "rel" || b.k === "rel") return { equal: false, reason: "relation" };
  if (printNode(a) === printNode(b)) return { equal: !selfDifferenceIsNan(a), reason: "identical" };
  const floats = hasFloat(a) || hasFloat(b);
  try {
    const longFloats = hasFloat(a, LONG_FLOAT_DIGITS) || hasFloat(b, LONG_FLOAT_DIGITS);
    if (!floats || longFloats) {
      const qa = exactOrNull(a, deadline, longFloats);
      const qb = qa && exactOrNull(b, deadline, longFloats);
      if (qa && qb) return { equal: qa.equals(qb) };
    }
    const exact = rationalSubtrees(b, deadline, rationalSubtrees(a, deadline));
    const symbols = [...freeSymbols(b, freeSymbols(a))];
    const samples = symbols.length === 0 ? 1 : SAMPLES;
    for (let s = 0; s < samples; s++) {
      const env: Env = new Map(symbols.map((name) => [name, samplePoint(name, s)]));
      const va = numericValue(a, env, deadline, exact);
      const vb = numericValue(b, env, deadline, exact);
      if (!cx.isFinite(va) || !cx.isFinite(vb)) return { equal: false, reason: "not finite" };
      const diff = cx.abs(cx.sub(va, vb));
      if (floats && symbols.length === 0) {
        if (diff !== 0) return { equal: false };
        continue;
      }
      const tol = floats ? FLOAT_WITH_SYMBOLS_TOLERANCE : TOLERANCE;
      if (diff > tol * Math.max(1, cx.abs(va), cx.abs(vb))) return { equal: false };
    }
    return { equal: true };
  } catch (err) {
    if (err instanceof TooBig) return { equal: false, reason: err.message };
    throw err;
  }
}

/** `is_equiv(x1, x2)` of open-instruct's math_utils: parse both, compare by value. */
export function sympyIsEquiv(x1: string, x2: string, deadline: Deadline): SympyOutcome {
  const a = parse(x1, deadline);
  if (typeof a === "string") return { equal: false, reason: a };
  const b = parse(x2, deadline);
  if (typeof b === "string") return { equal: false, reason: b };
  return treesEqual(a, b, deadline);
}
