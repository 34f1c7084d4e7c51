/**
 * Evaluation of parsed answers: exactly on rationals when the tree is rational (sympy's Integer/Rational
 * arithmetic), otherwise numerically in complex doubles with every free symbol bound to a sample point.
 * Only the closed set of node kinds in ast.ts is evaluated; nothing reaches a host function by name.
 */
import type { Deadline } from "../deadline.js";
import { childrenOf, type Node } from "./ast.js";
import * as cx from "./complex.js";
import { binomial, exactRoot, factorial, Q } from "./rational.js";

/** The tree has no exact rational value (a symbol, an irrational, a division by zero, ...). */
export class NotExact extends Error {
  override name = "NotExact";
}

/**
 * Exact rational value of a tree without symbols (and without floats unless `decimalsExact`: a decimal literal
 * then counts as its exact decimal value), or NotExact / TooBig.
 */
export function exactValue(node: Node, deadline: Deadline, known?: Map<Node, Q>, decimalsExact = false): Q {
  deadline.check();
  const ev = (n: Node): Q => known?.get(n) ?? exactValue(n, deadline, known, decimalsExact);
  switch (node.k) {
    case "num":
      if (node.float && !decimalsExact) throw new NotExact("float");
      return Q.decimal(node.text);
    case "add":
      return ev(node.a).add(ev(node.b));
    case "mul":
      return ev(node.a).mul(ev(node.b));
    case "neg":
      return ev(node.a).neg();
    case "pow": {
      const base = ev(node.a);
      const e = ev(node.b);
      if (base.isZero && e.n <= 0n) throw new NotExact("0 to a non-positive power");
      if (e.isInteger) return base.powInt(e.n);
      const rn = exactRoot(base.n, e.d);
      const rd = exactRoot(base.d, e.d);
      if (rn === null || rd === null) throw new NotExact("irrational power");
      return new Q(rn, rd).powInt(e.n);
    }
    case "binom": {
      const n = ev(node.n);
      const r = ev(node.r);
      if (!n.isInteger || !r.isInteger) throw new NotExact("binomial of non-integers");
      return binomial(n.n, r.n);
    }
    case "fn": {
      const a = ev(node.a);
      switch (node.name) {
        case "abs": return a.abs();
        case "floor": return a.floor();
        case "ceil": return a.ceil();
        case "conj": return a;
        case "factorial":
          if (!a.isInteger || a.n < 0n) throw new NotExact("factorial of a non-natural number");
          return factorial(a.n);
        case "sqrt": {
          const rn = exactRoot(a.n, 2n);
          const rd = exactRoot(a.d, 2n);
          if (rn === null || rd === null) throw new NotExact("irrational square root");
          return new Q(rn, rd);
        }
        default:
          throw new NotExact(node.name);
      }
    }
    default:
      throw new NotExact(node.k);
  }
}

/** Bindings of symbol names to sample points. */
export type Env = Map<string, cx.C>;

/**
 * The exact value of every rational subtree (no symbol, no float), found bottom-up in one pass. The numeric
 * evaluation uses them so that, as in sympy, 3/5 is the Rational 3/5 rounded once to a Float (0.6), not 3 × 0.2.
 */
export function rationalSubtrees(node: Node, deadline: Deadline, into = new Map<Node, Q>()): Map<Node, Q> {
  const children = childrenOf(node);
  for (const child of children) rationalSubtrees(child, deadline, into);
  const leaf = node.k === "num" && !node.float;
  if (leaf || (children.length > 0 && node.k !== "call" && node.k !== "rel" && children.every((ch) => into.has(ch)))) {
    try {
      into.set(node, exactValue(node, deadline, into));
    } catch (err) {
      if (!(err instanceof NotExact)) throw err;
    }
  }
  return into;
}

/**
 * A sympy undefined function f(x1, x2, ...) as a fixed pseudo-random smooth function of its arguments,
 * so that f(a) = f(b) exactly when a = b at the sample point.
 */
function undefinedFunction(name: string, args: cx.C[]): cx.C {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  let acc = cx.c(((h >>> 0) % 997) / 997 + 0.25, ((h >>> 10) % 991) / 991);
  args.forEach((a, i) => {
    const w = cx.c(0.3 + ((h >>> (i % 20)) % 89) / 89, 0.2 + i * 0.17);
    acc = cx.add(acc, cx.exp(cx.mul(w, a)));
  });
  return acc;
}

const REAL_ONLY = (a: cx.C, f: (x: number) => number): cx.C => cx.c(f(a.re), a.im === 0 ? 0 : f(a.im));

/** Numeric value at the sample point `env`; not-finite results mean "undefined here". */
export function numericValue(node: Node, env: Env, deadline: Deadline, exact?: Map<Node, Q>): cx.C {
  deadline.check();
  const known = exact?.get(node);
  if (known) return cx.c(known.toNumber());
  const ev = (n: Node): cx.C => numericValue(n, env, deadline, exact);
  switch (node.k) {
    case "num": return cx.c(Number(node.text));
    case "sym": return env.get(node.name) ?? cx.c(NaN, NaN);
    case "inf": return cx.c(Infinity);
    case "add": return cx.add(ev(node.a), ev(node.b));
    case "mul": return cx.mul(ev(node.a), ev(node.b));
    case "neg": return cx.neg(ev(node.a));
    case "pow": return cx.pow(ev(node.a), ev(node.b));
    case "rel": return cx.c(NaN, NaN);
    case "root": return cx.pow(ev(node.a), cx.div(cx.c(1), ev(node.n)));
    case "log": {
      const base = node.base === "e" ? cx.c(1) : cx.log(node.base === 10 ? cx.c(10) : ev(node.base));
      return cx.div(cx.log(ev(node.a)), base);
    }
    case "binom": {
      const n = ev(node.n);
      const r = ev(node.r);
      return cx.div(cx.gamma(cx.add(n, cx.c(1))), cx.mul(cx.gamma(cx.add(r, cx.c(1))), cx.gamma(cx.add(cx.sub(n, r), cx.c(1)))));
    }
    case "call": return undefinedFunction(node.name, node.args.map(ev));
    case "fn": {
      const a = ev(node.a);
      switch (node.name) {
        case "exp": return cx.exp(a);
        case "sqrt": return cx.sqrt(a);
        case "abs": return cx.c(cx.abs(a));
        case "conj": return cx.c(a.re, -a.im);
        case "floor": return REAL_ONLY(a, Math.floor);
        case "ceil": return REAL_ONLY(a, Math.ceil);
        case "factorial": return cx.gamma(cx.add(a, cx.c(1)));
        case "sin": return cx.sin(a);
        case "cos": return cx.cos(a);
        case "tan": return cx.tan(a);
        case "csc": return cx.div(cx.c(1), cx.sin(a));
        case "sec": return cx.div(cx.c(1), cx.cos(a));
        case "cot": return cx.div(cx.cos(a), cx.sin(a));
        case "asin": return cx.asin(a);
        case "acos": return cx.acos(a);
        case "atan": return cx.atan(a);
        case "acsc": return cx.asin(cx.div(cx.c(1), a));
        case "asec": return cx.acos(cx.div(cx.c(1), a));
        case "acot": return cx.atan(cx.div(cx.c(1), a));
        case "sinh": return cx.sinh(a);
        case "cosh": return cx.cosh(a);
        case "tanh": return cx.tanh(a);
        case "asinh": return cx.asinh(a);
        case "acosh": return cx.acosh(a);
        case "atanh": return cx.atanh(a);
      }
    }
  }
}
