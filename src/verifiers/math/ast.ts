/**
 * The expression tree the LaTeX parser builds: the subset of sympy objects that `parse_latex` produces for
 * answers (numbers, symbols, +, ×, powers, the elementary functions), evaluated by evaluate.ts. Nothing here
 * names a host function: a `call` is an uninterpreted sympy `Function('f')(x)`.
 */
export type Node =
  /** Integer or decimal literal; `text` has its commas removed. `float` = it had a decimal point (a sympy Float). */
  | { k: "num"; text: string; float: boolean }
  | { k: "sym"; name: string }
  | { k: "inf" }
  | { k: "add"; a: Node; b: Node }
  | { k: "mul"; a: Node; b: Node }
  | { k: "pow"; a: Node; b: Node }
  | { k: "neg"; a: Node }
  | { k: "fn"; name: ElementaryFunction; a: Node }
  | { k: "log"; a: Node; base: Node | "e" | 10 }
  | { k: "root"; a: Node; n: Node }
  | { k: "binom"; n: Node; r: Node }
  | { k: "call"; name: string; args: Node[] }
  | { k: "rel"; op: string; a: Node; b: Node };

export type ElementaryFunction =
  | "exp" | "sin" | "cos" | "tan" | "csc" | "sec" | "cot" | "asin" | "acos" | "atan" | "acsc" | "asec" | "acot"
  | "sinh" | "cosh" | "tanh" | "asinh" | "acosh" | "atanh" | "sqrt" | "abs" | "floor" | "ceil" | "factorial"
  | "conj";

/** The direct subtrees of a node. */
export function childrenOf(node: Node): Node[] {
  switch (node.k) {
    case "add": case "mul": case "pow": case "rel": return [node.a, node.b];
    case "neg": case "fn": return [node.a];
    case "log": return typeof node.base === "object" ? [node.a, node.base] : [node.a];
    case "root": return [node.a, node.n];
    case "binom": return [node.n, node.r];
    case "call": return node.args;
    default: return [];
  }
}

/** Every symbol name in the tree (the variables the numeric comparison samples). */
export function freeSymbols(node: Node, into: Set<string> = new Set()): Set<string> {
  switch (node.k) {
    case "sym":
      into.add(node.name);
      break;
    case "add": case "mul": case "pow": case "rel":
      freeSymbols(node.a, into);
      freeSymbols(node.b, into);
      break;
    case "neg": case "fn":
      freeSymbols(node.a, into);
      break;
    case "log":
      freeSymbols(node.a, into);
      if (typeof node.base === "object") freeSymbols(node.base, into);
      break;
    case "root":
      freeSymbols(node.a, into);
      freeSymbols(node.n, into);
      break;
    case "binom":
      freeSymbols(node.n, into);
      freeSymbols(node.r, into);
      break;
    case "call":
      for (const a of node.args) freeSymbols(a, into);
      break;
  }
  return into;
}

/**
 * Whether the tree holds a sympy Float literal (decimals switch sympy to 53-bit float arithmetic), or with
 * `minDigits`, one with at least that many significant digits (sympy then keeps that many digits of precision).
 */
export function hasFloat(node: Node, minDigits = 0): boolean {
  const has = (n: Node): boolean => hasFloat(n, minDigits);
  switch (node.k) {
    case "num": return node.float && node.text.replace(".", "").replace(/^0+/, "").length >= minDigits;
    case "sym": case "inf": return false;
    case "add": case "mul": case "pow": case "rel": return has(node.a) || has(node.b);
    case "neg": case "fn": return has(node.a);
    case "log": return has(node.a) || (typeof node.base === "object" && has(node.base));
    case "root": return has(node.a) || has(node.n);
    case "binom": return has(node.n) || has(node.r);
    case "call": return node.args.some(has);
  }
}

/** A canonical text of a tree, used for subscripted symbol names (`x_{1}`). */
export function printNode(node: Node): string {
  switch (node.k) {
    case "num": return node.text;
    case "sym": return node.name;
    case "inf": return "oo";
    case "add": return `(${printNode(node.a)}+${printNode(node.b)})`;
    case "mul": return `(${printNode(node.a)}*${printNode(node.b)})`;
    case "pow": return `(${printNode(node.a)}^${printNode(node.b)})`;
    case "neg": return `(-${printNode(node.a)})`;
    case "fn": return `${node.name}(${printNode(node.a)})`;
    case "log": return `log(${printNode(node.a)},${typeof node.base === "object" ? printNode(node.base) : node.base})`;
    case "root": return `root(${printNode(node.a)},${printNode(node.n)})`;
    case "binom": return `binomial(${printNode(node.n)},${printNode(node.r)})`;
    case "call": return `${node.name}(${node.args.map(printNode).join(",")})`;
    case "rel": return `${printNode(node.a)}${node.op}${printNode(node.b)}`;
  }
}
