/**
 * Parse a ground-truth string the way open-instruct reads it: JSON, or a Python literal
 * (`ast.literal_eval`: dicts, lists, tuples, quoted strings, numbers, True/False/None), since RLVR
 * datasets store `str(python_object)` as often as JSON.
 */
import { VerifierSpecError } from "../../errors.js";

const MAX_DEPTH = 64;

export function parseLiteral(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new LiteralParser(text, field).parseAll();
  }
}

class LiteralParser {
  private i = 0;

  constructor(private readonly s: string, private readonly field: string) {}

  private fail(why: string): never {
    throw new VerifierSpecError(`ifeval: ${this.field}: not JSON nor a Python literal (${why} at offset ${this.i})`);
  }

  private skip(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  parseAll(): unknown {
    const v = this.value(0);
    this.skip();
    if (this.i !== this.s.length) this.fail("trailing text");
    return v;
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    this.skip();
    const c = this.s[this.i];
    if (c === "{") return this.dict(depth);
    if (c === "[" || c === "(") return this.list(depth, c === "[" ? "]" : ")");
    if (c === "'" || c === '"') return this.string(c);
    const word = /^(?:True|False|None|true|false|null|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/.exec(this.s.slice(this.i, this.i + 64));
    if (!word) this.fail("unexpected character");
    this.i += word[0].length;
    const w = word[0];
    if (w === "True" || w === "true") return true;
    if (w === "False" || w === "false") return false;
    if (w === "None" || w === "null") return null;
    return Number(w);
  }

  private list(depth: number, close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.skip();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.skip();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== close) this.fail(`expected , or ${close}`);
    }
  }

  private dict(depth: number): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skip();
      if (this.s[this.i] === "}") {
        this.i++;
        return out;
      }
      const key = this.value(depth + 1);
      if (typeof key !== "string") this.fail("dict key must be a string");
      this.skip();
      if (this.s[this.i++] !== ":") this.fail("expected :");
      out[key] = this.value(depth + 1);
      this.skip();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== "}") this.fail("expected , or }");
    }
  }

  private string(quote: string): string {
    this.i++;
    let out = "";
    const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", b: "\b", f: "\f" };
    while (this.i < this.s.length) {
      const c = this.s[this.i++]!;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      if (e === undefined) break;
      if (e === "u" || e === "x" || e === "U") {
        const len = e === "u" ? 4 : e === "x" ? 2 : 8;
        const hex = this.s.slice(this.i, this.i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail("bad escape");
        out += String.fromCodePoint(parseInt(hex, 16));
        this.i += len;
      } else if (e === "\n") {
        continue;
      } else {
        out += escapes[e] ?? "\\" + e;
      }
    }
    return this.fail("unterminated string");
  }
}
