/**
 * Tokenizer emulating the ANTLR lexer of sympy's LaTeX grammar (sympy/parsing/latex/LaTeX.g4, sympy 1.14):
 * longest match wins, ties go to the earlier rule, so `\sqrt` is FUNC_SQRT but `\sqrtx` a SYMBOL, `\left`
 * is skipped but `\left|` is L_BAR, `dx` is one DIFFERENTIAL token. Digits are single DIGIT tokens (the
 * grammar's `number` is a parser rule); `,` and `.` are the parser's implicit literal tokens. A character no
 * rule matches (`$`, `%`, `\ `, `\\`, `\$`, `\%`, ...) is a lexer error, which sympy's error listener turns
 * into LaTeXParsingError, but only when the parser's lookahead reaches it (ANTLR lexes on demand): the
 * tokenizer ends with an ERROR token there, and the parser fails if it looks at it.
 */
import type { Deadline } from "../deadline.js";

export type TokenKind =
  | "ADD" | "SUB" | "MUL" | "DIV" | "L_PAREN" | "R_PAREN" | "L_BRACE" | "R_BRACE" | "L_BRACE_LITERAL"
  | "R_BRACE_LITERAL" | "L_BRACKET" | "R_BRACKET" | "BAR" | "R_BAR" | "L_BAR" | "L_ANGLE" | "R_ANGLE"
  | "FUNC_LIM" | "LIM_APPROACH_SYM" | "FUNC_INT" | "FUNC_SUM" | "FUNC_PROD" | "FUNC_NORMAL" | "L_FLOOR"
  | "R_FLOOR" | "L_CEIL" | "R_CEIL" | "FUNC_SQRT" | "FUNC_OVERLINE" | "CMD_TIMES" | "CMD_CDOT" | "CMD_DIV"
  | "CMD_FRAC" | "CMD_BINOM" | "CMD_MATHIT" | "UNDERSCORE" | "CARET" | "COLON" | "DIFFERENTIAL" | "LETTER"
  | "DIGIT" | "EQUAL" | "NEQ" | "LT" | "LTE" | "GT" | "GTE" | "BANG" | "SINGLE_QUOTES" | "SYMBOL" | "COMMA"
  | "PERIOD" | "EOF"
  /** Where lexing stopped: a character no rule matches, or too many tokens. An error only if the parser gets here. */
  | "ERROR";

export interface Token {
  kind: TokenKind;
  /** The matched text (for FUNC_NORMAL and SYMBOL the command name without the backslash). */
  text: string;
  /** A DIGIT that starts a new number (set by the parser's dead-period analysis). */
  boundary?: boolean;
}

/** A string sympy's parse_latex rejects (LaTeXParsingError and friends). */
export class LatexParseError extends Error {
  override name = "LatexParseError";
}

/** `\name` commands with their own token (the full letter run must equal the name). */
const COMMANDS: Record<string, TokenKind | "SKIP"> = {
  thinspace: "SKIP", medspace: "SKIP", thickspace: "SKIP", quad: "SKIP", qquad: "SKIP", negthinspace: "SKIP",
  negmedspace: "SKIP", negthickspace: "SKIP", left: "SKIP", right: "SKIP", vrule: "SKIP", vcenter: "SKIP",
  vbox: "SKIP", vskip: "SKIP", vspace: "SKIP", hfil: "SKIP",
  langle: "L_ANGLE", rangle: "R_ANGLE", lim: "FUNC_LIM", to: "LIM_APPROACH_SYM", rightarrow: "LIM_APPROACH_SYM",
  Rightarrow: "LIM_APPROACH_SYM", longrightarrow: "LIM_APPROACH_SYM", Longrightarrow: "LIM_APPROACH_SYM",
  int: "FUNC_INT", sum: "FUNC_SUM", prod: "FUNC_PROD",
  exp: "FUNC_NORMAL", log: "FUNC_NORMAL", lg: "FUNC_NORMAL", ln: "FUNC_NORMAL", sin: "FUNC_NORMAL",
  cos: "FUNC_NORMAL", tan: "FUNC_NORMAL", csc: "FUNC_NORMAL", sec: "FUNC_NORMAL", cot: "FUNC_NORMAL",
  arcsin: "FUNC_NORMAL", arccos: "FUNC_NORMAL", arctan: "FUNC_NORMAL", arccsc: "FUNC_NORMAL",
  arcsec: "FUNC_NORMAL", arccot: "FUNC_NORMAL", sinh: "FUNC_NORMAL", cosh: "FUNC_NORMAL", tanh: "FUNC_NORMAL",
  arsinh: "FUNC_NORMAL", arcosh: "FUNC_NORMAL", artanh: "FUNC_NORMAL",
  lfloor: "L_FLOOR", rfloor: "R_FLOOR", lceil: "L_CEIL", rceil: "R_CEIL", sqrt: "FUNC_SQRT",
  overline: "FUNC_OVERLINE", times: "CMD_TIMES", cdot: "CMD_CDOT", div: "CMD_DIV", frac: "CMD_FRAC",
  dfrac: "CMD_FRAC", tfrac: "CMD_FRAC", binom: "CMD_BINOM", dbinom: "CMD_BINOM", tbinom: "CMD_BINOM",
  mathit: "CMD_MATHIT", neq: "NEQ", leq: "LTE", le: "LTE", leqq: "LTE", leqslant: "LTE", geq: "GTE",
  ge: "GTE", geqq: "GTE", geqslant: "GTE",
};

/** `\` + one non-letter: the spacing commands and IGNORE rule (skipped) and the literal braces. */
const BACKSLASH_PUNCT: Record<string, TokenKind | "SKIP"> = {
  ",": "SKIP", ":": "SKIP", ";": "SKIP", "!": "SKIP", "*": "SKIP", "-": "SKIP", ".": "SKIP", "/": "SKIP",
  '"': "SKIP", "(": "SKIP", "=": "SKIP", "{": "L_BRACE_LITERAL", "}": "R_BRACE_LITERAL",
};

const SINGLE: Record<string, TokenKind> = {
  "+": "ADD", "-": "SUB", "*": "MUL", "/": "DIV", "(": "L_PAREN", ")": "R_PAREN", "{": "L_BRACE",
  "}": "R_BRACE", "[": "L_BRACKET", "]": "R_BRACKET", "|": "BAR", "_": "UNDERSCORE", "^": "CARET",
  ":": "COLON", "<": "LT", ">": "GT", "!": "BANG", ",": "COMMA", ".": "PERIOD",
};

const isLetter = (c: string | undefined): boolean => c !== undefined && /[a-zA-Z]/.test(c);
const isWs = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";

function lettersFrom(s: string, i: number): number {
  let j = i;
  while (j < s.length && isLetter(s[j])) j++;
  return j;
}

/** Tokenizes up to the first lexer error (an ERROR token) or maxTokens tokens (then an ERROR token as well). */
export function tokenize(s: string, deadline: Deadline, maxTokens: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    deadline.check();
    if (out.length >= maxTokens) return [...out, { kind: "ERROR", text: `more than ${maxTokens} tokens` }];
    const c = s[i]!;
    if (isWs(c)) {
      i++;
      continue;
    }
    if (c === "\\") {
      const end = lettersFrom(s, i + 1);
      if (end > i + 1) {
        const name = s.slice(i + 1, end);
        if (name === "right" && s[end] === "|") (out.push({ kind: "R_BAR", text: "\\right|" }), (i = end + 1));
        else if (name === "left" && s[end] === "|") (out.push({ kind: "L_BAR", text: "\\left|" }), (i = end + 1));
        else if (name === "int" && s.startsWith("\\limits", end)) {
          out.push({ kind: "FUNC_INT", text: "int" });
          i = end + "\\limits".length;
        } else {
          const kind = Object.hasOwn(COMMANDS, name) ? COMMANDS[name]! : "SYMBOL";
          if (kind !== "SKIP") out.push({ kind, text: name });
          i = end;
        }
        continue;
      }
      const next = s[i + 1];
      const kind = next !== undefined && Object.hasOwn(BACKSLASH_PUNCT, next) ? BACKSLASH_PUNCT[next]! : undefined;
      if (!kind) return [...out, { kind: "ERROR", text: `token recognition error at: '\\${next ?? ""}'` }];
      if (kind !== "SKIP") out.push({ kind, text: "\\" + next });
      i += 2;
      continue;
    }
    if (c === "d") {
      let j = i + 1;
      while (isWs(s[j])) j++;
      if (isLetter(s[j])) {
        out.push({ kind: "DIFFERENTIAL", text: s[j]! });
        i = j + 1;
        continue;
      }
      if (s[j] === "\\" && isLetter(s[j + 1])) {
        const end = lettersFrom(s, j + 1);
        out.push({ kind: "DIFFERENTIAL", text: s.slice(j + 1, end) });
        i = end;
        continue;
      }
    }
    if (isLetter(c)) (out.push({ kind: "LETTER", text: c }), i++);
    else if (c >= "0" && c <= "9") (out.push({ kind: "DIGIT", text: c }), i++);
    else if (c === "'") {
      let j = i;
      while (s[j] === "'") j++;
      out.push({ kind: "SINGLE_QUOTES", text: s.slice(i, j) });
      i = j;
    } else if (c === "=" || c === "&") {
      // EQUAL: ('&' WS*? '=') | ('=' (WS*? '&')?)
      let j = i + 1;
      while (isWs(s[j])) j++;
      if (c === "&") {
        if (s[j] !== "=") return [...out, { kind: "ERROR", text: "token recognition error at: '&'" }];
        i = j + 1;
      } else i = s[j] === "&" ? j + 1 : i + 1;
      out.push({ kind: "EQUAL", text: "=" });
    } else if (Object.hasOwn(SINGLE, c)) (out.push({ kind: SINGLE[c]!, text: c }), i++);
    else return [...out, { kind: "ERROR", text: `token recognition error at: '${c}'` }];
  }
  out.push({ kind: "EOF", text: "" });
  return out;
}
