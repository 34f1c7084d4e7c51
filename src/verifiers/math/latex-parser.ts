/**
 * Recursive-descent emulation of sympy's `parse_latex` (ANTLR backend, sympy 1.14: LaTeX.g4 +
 * _parse_latex_antlr.py), producing the same expression for answer-like input, quirks included:
 *
 * - The start rule `math: relation` has no EOF, so parsing stops at the first token that cannot continue and the
 *   rest is ignored: `-4, 7` is `-4` (a bare list keeps its first element), `25{,}000` is `25`.
 * - ANTLR's prediction decides each loop (more digits, more factors, more terms) by lookahead: loops are greedy,
 *   a continuation that fails falls back to exiting (`4\sqrt5` is `4`, `2^-1` is `2`, `3+` is `3`), and a `.`
 *   that cannot be a decimal point changes how the number before it splits (`11.` is `1`; resolveDeadPeriods).
 * - Required tokens are required: `\sqrt5` (no brace), `(4, -7)`, `[-4, 7)`, `\frac{1}{4` and `.125` fail.
 * - Numbers are DIGIT tokens: whitespace and `\,` between digits vanish (`25\,000` = 25000), `,ddd` groups are
 *   thousands (`1,234.5`), `1\frac{5}{6}` is 1·5/6, `\text{cm}` is the product text·c·m.
 * - `x(y)` with a letter before `(` is an undefined function application, as in sympy.
 * Integrals, sums, limits, bra-kets and `|_{x=a}` evaluation are not emulated (UnsupportedLatex).
 */
import type { Deadline } from "../deadline.js";
import { childrenOf, printNode, type ElementaryFunction, type Node } from "./ast.js";
import { LatexParseError, tokenize, type Token, type TokenKind } from "./latex-lexer.js";
import { postfixProduct, resolveDeadPeriods } from "./latex-quirks.js";
import { DeadPeriodError, TokenCursor, UnsupportedLatex } from "./latex-cursor.js";

export { LatexLexError, UnsupportedLatex } from "./latex-cursor.js";

/** Bounds that keep hostile answers cheap; sympy's own parser would raise RecursionError far deeper. */
export const MAX_LATEX_TOKENS = 4000;
const MAX_NESTING = 100;

const REL_OPS = new Set<TokenKind>(["EQUAL", "LT", "LTE", "GT", "GTE", "NEQ"]);
const MUL_OPS = new Set<TokenKind>(["MUL", "CMD_TIMES", "CMD_CDOT", "DIV", "CMD_DIV", "COLON"]);
const FUNC_STARTS = new Set<TokenKind>(["FUNC_NORMAL", "FUNC_INT", "FUNC_SQRT", "FUNC_OVERLINE", "FUNC_SUM", "FUNC_PROD", "FUNC_LIM"]);
const POSTFIX_STARTS = new Set<TokenKind>([
  "L_PAREN", "L_BRACKET", "L_BRACE", "L_BRACE_LITERAL", "BAR", "L_BAR", "L_ANGLE", "LETTER", "SYMBOL", "DIGIT",
  "DIFFERENTIAL", "CMD_MATHIT", "CMD_FRAC", "CMD_BINOM", "L_FLOOR", "L_CEIL",
]);
const CLOSERS: Partial<Record<TokenKind, TokenKind>> = {
  L_PAREN: "R_PAREN", L_BRACKET: "R_BRACKET", L_BRACE: "R_BRACE", L_BRACE_LITERAL: "R_BRACE_LITERAL",
};
const ARC: Record<string, ElementaryFunction> = {
  arcsin: "asin", arccos: "acos", arctan: "atan", arccsc: "acsc", arcsec: "asec", arccot: "acot",
  arsinh: "asinh", arcosh: "acosh", artanh: "atanh",
};
const TRIG = new Set(["sin", "cos", "tan", "csc", "sec", "cot", "sinh", "cosh", "tanh"]);

const mul = (a: Node, b: Node): Node => ({ k: "mul", a, b });
const inverse = (a: Node): Node => ({ k: "pow", a, b: { k: "num", text: "-1", float: false } });

class Parser extends TokenCursor {
  /** Open `|...|` groups: a `|` there closes the group rather than starting an evaluation bar. */
  private absDepth = 0;

  constructor(tokens: Token[], deadline: Deadline) {
    super(resolveDeadPeriods(tokens), deadline, MAX_NESTING);
  }

  /** After `=`, `<`, ... the right side is required: sympy fails on `x = `, `x = (1, 2)`, `x=\\sqrt5`. */
  relation(): Node {
    let left = this.expr();
    while (REL_OPS.has(this.kind())) {
      const op = this.next.text;
      this.p++;
      left = { k: "rel", op, a: left, b: this.expr() };
    }
    return left;
  }

  expr(): Node {
    return this.nest(() => {
      let left = this.mp(false);
      while (this.kind() === "ADD" || this.kind() === "SUB") {
        const minus = this.kind() === "SUB";
        const right = this.attempt("add", () => (this.p++, this.mp(false)));
        if (!right) break;
        left = { k: "add", a: left, b: minus ? { k: "neg", a: right } : right };
      }
      return left;
    });
  }

  mp(nofunc: boolean): Node {
    let left = this.unary(nofunc);
    while (MUL_OPS.has(this.kind())) {
      const divide = this.kind() === "DIV" || this.kind() === "CMD_DIV" || this.kind() === "COLON";
      const right = this.attempt(nofunc ? "mpn" : "mp", () => (this.p++, this.unary(nofunc)));
      if (!right) break;
      left = mul(left, divide ? inverse(right) : right);
    }
    return left;
  }

  unary(nofunc: boolean): Node {
    const t = this.kind();
    if (t === "ADD" || t === "SUB") {
      this.p++;
      const inner = this.nest(() => this.unary(nofunc));
      return t === "ADD" ? inner : { k: "neg", a: inner };
    }
    const factors = [this.postfix(false)];
    for (;;) {
      const k = this.kind();
      const starts = POSTFIX_STARTS.has(k) || (!nofunc && FUNC_STARTS.has(k));
      if (!starts) break;
      const f = this.attempt(nofunc ? "pfn" : "pf", () => this.postfix(nofunc));
      if (!f) break;
      factors.push(f);
    }
    return postfixProduct(factors);
  }

  postfix(nofunc: boolean): Node {
    let e = this.exp(nofunc);
    for (;;) {
      if (this.kind() === "BANG") {
        this.p++;
        e = { k: "fn", name: "factorial", a: e };
      } else if (this.absDepth === 0 && this.kind() === "BAR" && (this.peek(1).kind === "CARET" || this.peek(1).kind === "UNDERSCORE") && this.peek(2).kind === "L_BRACE") {
        throw new UnsupportedLatex("evaluation bar |_{...}");
      } else break;
    }
    return e;
  }

  exp(nofunc: boolean): Node {
    let base = this.comp(nofunc);
    while (this.kind() === "CARET") {
      // A power that does not parse (`2^-1`, `3^{2,3}`) is left out, like a failed factor.
      const exponent = this.attempt("caret", () => {
        this.p++;
        const e = this.kind() === "L_BRACE" ? this.braced() : this.atom();
        if (this.kind() === "UNDERSCORE") this.subscript(); // parsed, ignored by sympy's convert_exp
        return e;
      });
      if (!exponent) break;
      base = { k: "pow", a: base, b: exponent };
    }
    return base;
  }

  private braced(): Node {
    this.expect("L_BRACE");
    const e = this.expr();
    this.expect("R_BRACE");
    return e;
  }

  comp(nofunc: boolean): Node {
    return this.nest((): Node => {
      const t = this.kind();
      const closer = CLOSERS[t];
      if (closer) {
        this.p++;
        const e = this.expr();
        this.expect(closer);
        return e;
      }
      if (t === "BAR") {
        this.p++;
        this.absDepth++;
        let e: Node;
        try {
          e = this.expr();
        } finally {
          this.absDepth--;
        }
        if (this.kind() === "R_ANGLE") throw new UnsupportedLatex("ket");
        this.expect("BAR");
        return { k: "fn", name: "abs", a: e };
      }
      if (t === "L_FLOOR" || t === "L_CEIL") {
        this.p++;
        const e = this.expr();
        this.expect(t === "L_FLOOR" ? "R_FLOOR" : "R_CEIL");
        return { k: "fn", name: t === "L_FLOOR" ? "floor" : "ceil", a: e };
      }
      if (!nofunc && FUNC_STARTS.has(t)) return this.func();
      if (!nofunc && (t === "LETTER" || t === "SYMBOL")) {
        const call = this.attempt("call", () => this.call());
        if (call) return call;
      }
      return this.atom();
    });
  }

  /** `(LETTER | SYMBOL) subexpr? SINGLE_QUOTES? ( args )`: sympy's Function(name)(*args). */
  private call(): Node {
    const name = this.symbolName();
    this.expect("L_PAREN");
    const args = [this.expr()];
    while (this.kind() === "COMMA") (this.p++, args.push(this.expr()));
    this.expect("R_PAREN");
    return { k: "call", name, args };
  }

  /** A LETTER/SYMBOL with its optional subscript and primes, named as sympy names the Symbol. */
  private symbolName(): string {
    const t = this.next;
    if (t.kind !== "LETTER" && t.kind !== "SYMBOL") this.fail();
    this.p++;
    let name = t.text;
    if (this.kind() === "SINGLE_QUOTES") name += this.expect("SINGLE_QUOTES").text;
    if (this.kind() === "UNDERSCORE") name += "_{" + printNode(this.subscript()) + "}";
    if (this.kind() === "SINGLE_QUOTES") name += this.expect("SINGLE_QUOTES").text;
    return name;
  }

  private subscript(): Node {
    this.expect("UNDERSCORE");
    return this.kind() === "L_BRACE" ? this.braced() : this.atom();
  }

  atom(): Node {
    const t = this.next;
    switch (t.kind) {
      case "LETTER":
      case "SYMBOL": {
        if (t.kind === "SYMBOL" && t.text === "infty") return (this.p++, { k: "inf" });
        return { k: "sym", name: this.symbolName() };
      }
      case "DIGIT":
        return this.number();
      case "DIFFERENTIAL":
        this.p++;
        return { k: "sym", name: "d" + t.text };
      case "CMD_MATHIT": {
        this.p++;
        this.expect("L_BRACE");
        let name = "";
        while (this.kind() === "LETTER") name += this.expect("LETTER").text;
        this.expect("R_BRACE");
        return { k: "sym", name };
      }
      case "CMD_FRAC":
        return this.frac();
      case "CMD_BINOM": {
        this.p++;
        const n = this.braced();
        const r = this.braced();
        return { k: "binom", n, r };
      }
      case "L_ANGLE":
      case "L_BAR":
        throw new UnsupportedLatex("bra-ket");
      default:
        this.fail();
    }
  }

  /** `number: DIGIT+ (',' DIGIT DIGIT DIGIT)* ('.' DIGIT+)?` with ANTLR's loop decisions (see module comment). */
  private number(): Node {
    const start = this.p;
    const more = () => this.kind() === "DIGIT" && !this.next.boundary;
    let text = this.expect("DIGIT").text;
    while (more()) text += this.expect("DIGIT").text;
    while (this.kind() === "COMMA" && [1, 2, 3].every((k) => this.peek(k).kind === "DIGIT")) {
      this.p++;
      for (let k = 0; k < 3; k++) text += this.expect("DIGIT").text;
    }
    if (this.kind() !== "PERIOD") return { k: "num", text, float: false };
    this.p++;
    // `2/3.`: ANTLR commits to the decimal point, so this error is not undone by trying another alternative.
    if (this.kind() !== "DIGIT") throw new DeadPeriodError(start);
    text += "." + this.expect("DIGIT").text;
    while (more()) text += this.expect("DIGIT").text;
    return { k: "num", text, float: true };
  }

  /** `\frac` with braced or single-digit parts; `1/x` with a unit numerator is just x^-1, as in convert_frac. */
  private frac(): Node {
    this.expect("CMD_FRAC");
    const part = (): Node => (this.kind() === "DIGIT" ? { k: "num", text: this.expect("DIGIT").text, float: false } : this.braced());
    const upper = part();
    const lowerAt = this.p;
    const lower = part();
    // A lone differential denominator makes sympy build a derivative (d/dx).
    if (this.tokens[lowerAt + 1]?.kind === "DIFFERENTIAL" && this.p === lowerAt + 3) throw new UnsupportedLatex("derivative d/dx");
    if (upper.k === "num" && upper.text === "1") return inverse(lower);
    return mul(upper, inverse(lower));
  }

  /** The function alternatives of `func` other than `f(x)`. */
  private func(): Node {
    const t = this.next;
    this.p++;
    switch (t.kind) {
      case "FUNC_SQRT": {
        let root: Node | undefined;
        if (this.kind() === "L_BRACKET") {
          this.p++;
          root = this.expr();
          this.expect("R_BRACKET");
        }
        const base = this.braced();
        return root ? { k: "root", a: base, n: root } : { k: "fn", name: "sqrt", a: base };
      }
      case "FUNC_OVERLINE":
        return { k: "fn", name: "conj", a: this.braced() };
      case "FUNC_NORMAL":
        return this.normalFunction(t.text);
      default:
        throw new UnsupportedLatex(`\\${t.text}`);
    }
  }

  /** `\sin`, `\log_2`, `\cos^2 x`, `\sin^{-1}(x)`: sympy's convert_func for func_normal. */
  private normalFunction(name: string): Node {
    let sub: Node | undefined;
    let sup: Node | undefined;
    let lastScript: { start: number; which: "sub" | "sup" } | undefined;
    for (let i = 0; i < 2; i++) {
      if (this.kind() === "UNDERSCORE" && !sub) {
        lastScript = { start: this.p + 1, which: "sub" };
        sub = this.subscript();
      } else if (this.kind() === "CARET" && !sup) {
        this.p++;
        lastScript = { start: this.p, which: "sup" };
        sup = this.kind() === "L_BRACE" ? this.braced() : this.atom();
      }
    }
    let arg = this.functionArgument();
    // A bare-digit script leaves digits for the argument, as ANTLR's lookahead does: `\log_2 8`, `\log_10 100` = log(0, 1010).
    if (!arg && lastScript && this.tokens[lastScript.start]!.kind === "DIGIT") {
      let run = 0;
      while (this.tokens[lastScript.start + run]?.kind === "DIGIT") run++;
      for (let len = Math.min(run, this.p - lastScript.start) - 1; len >= 1 && !arg; len--) {
        const text = this.tokens.slice(lastScript.start, lastScript.start + len).map((t) => t.text).join("");
        this.p = lastScript.start + len;
        if (lastScript.which === "sub") sub = { k: "num", text, float: false };
        else sup = { k: "num", text, float: false };
        arg = this.functionArgument();
      }
    }
    if (!arg) this.fail();
    let expr: Node;
    let applyPower = sup !== undefined && !(sup.k === "num" && Number(sup.text) === 0);
    if (ARC[name]) expr = { k: "fn", name: ARC[name]!, a: arg };
    else if (name === "exp") expr = { k: "fn", name: "exp", a: arg };
    else if (name === "log" || name === "ln" || name === "lg") expr = { k: "log", a: arg, base: sub ?? (name === "lg" ? 10 : "e") };
    else {
      const minusOne = sup?.k === "neg" && sup.a.k === "num" && sup.a.text === "1";
      if (minusOne) applyPower = false;
      expr = { k: "fn", name: (minusOne ? "a" + name : name) as ElementaryFunction, a: arg };
    }
    return applyPower ? { k: "pow", a: expr, b: sup! } : expr;
  }

  /** `( func_arg )` or `func_arg_noparens` (mp_nofunc), or null where neither parses here. */
  private functionArgument(): Node | null {
    const paren = this.kind() === "L_PAREN" ? this.attempt("parenarg", () => this.parenArgument()) : null;
    return paren ?? this.attempt("noparens", () => this.mp(true));
  }

  private parenArgument(): Node {
    this.expect("L_PAREN");
    const e = this.expr();
    if (this.kind() === "COMMA") throw new UnsupportedLatex("function with several arguments");
    this.expect("R_PAREN");
    return e;
  }
}

/** Parses like sympy's `parse_latex(s)`; throws LatexParseError where sympy raises, UnsupportedLatex where we stop. */
export function parseLatex(s: string, deadline: Deadline): Node {
  const tokens = tokenize(s, deadline, MAX_LATEX_TOKENS);
  const tree = new Parser(tokens, deadline).relation();
  if (hasLeadingZeroInteger(tree)) throw new LatexParseError("SympifyError: integer with a leading zero");
  return tree;
}

/** sympy.Number("012") raises (Python has no such integer literal); "00" and "007.5" are fine. */
function hasLeadingZeroInteger(node: Node): boolean {
  if (node.k === "num") return !node.float && /^0+[1-9]/.test(node.text);
  return childrenOf(node).some(hasLeadingZeroInteger);
}
