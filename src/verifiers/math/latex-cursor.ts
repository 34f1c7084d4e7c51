/**
 * The token cursor under the LaTeX parser: lookahead that fails on a lexer ERROR token (ANTLR lexes on demand,
 * so a bad character only matters once the parser looks at it), speculative parsing with memoised results,
 * and a nesting bound.
 */
import type { Deadline } from "../deadline.js";
import type { Node } from "./ast.js";
import { LatexParseError, type Token, type TokenKind } from "./latex-lexer.js";

/** The parser looked at a character the lexer rejected: sympy's listener raises, whatever alternative was being tried. */
export class LatexLexError extends Error {
  override name = "LatexLexError";
}

/**
 * A single digit before a period that cannot be a decimal point (`2/3.`): ANTLR commits to reading the
 * decimal and fails, except where the digit was an optional extra factor (`x 2.` = x).
 */
export class DeadPeriodError extends LatexParseError {
  override name = "DeadPeriodError";
  /** Token index of the number's first digit. */
  constructor(readonly start: number) {
    super("a number ends with '.'");
  }
}

/** Valid LaTeX sympy would evaluate but this emulation does not; the sympy half then answers "not equal". */
export class UnsupportedLatex extends Error {
  override name = "UnsupportedLatex";
}

export class TokenCursor {
  protected p = 0;
  private depth = 0;
  private readonly memo = new Map<string, { node: Node; end: number } | null>();

  constructor(
    protected readonly tokens: Token[],
    protected readonly deadline: Deadline,
    private readonly maxNesting: number,
  ) {}

  protected get next(): Token {
    return this.look(this.tokens[this.p]!);
  }
  /** The next token's kind (a call, so TypeScript does not narrow it across `this.p++`). */
  protected kind(): TokenKind {
    return this.next.kind;
  }
  private look(t: Token): Token {
    if (t.kind === "ERROR") throw new LatexLexError(t.text);
    return t;
  }
  protected peek(k: number): Token {
    return this.look(this.tokens[Math.min(this.p + k, this.tokens.length - 1)]!);
  }
  protected expect(kind: TokenKind): Token {
    const t = this.next;
    if (t.kind !== kind) throw new LatexParseError(`expected ${kind}, got ${t.kind}`);
    this.p++;
    return t;
  }
  protected fail(): never {
    throw new LatexParseError(`unexpected ${this.kind()}`);
  }

  /**
   * Runs `fn` speculatively: on a parse error the position is restored and null returned (ANTLR's prediction
   * falls back to leaving the loop). Memoised per key and position, so nested retries stay linear.
   */
  protected attempt(key: string, fn: () => Node): Node | null {
    const memoKey = `${key}@${this.p}`;
    const cached = this.memo.get(memoKey);
    if (cached !== undefined) {
      if (cached) this.p = cached.end;
      return cached?.node ?? null;
    }
    const start = this.p;
    try {
      const node = fn();
      this.memo.set(memoKey, { node, end: this.p });
      return node;
    } catch (err) {
      if (!(err instanceof LatexParseError)) throw err;
      if (err instanceof DeadPeriodError && (key !== "pf" || err.start !== start)) throw err;
      this.p = start;
      this.memo.set(memoKey, null);
      return null;
    }
  }

  protected nest<T>(fn: () => T): T {
    if (++this.depth > this.maxNesting) throw new LatexParseError("nesting too deep");
    this.deadline.check();
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
}
