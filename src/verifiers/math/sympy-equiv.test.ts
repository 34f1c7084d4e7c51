import { describe, expect, it } from "vitest";
import { Deadline } from "../deadline.js";
import { parseLatex } from "./latex-parser.js";
import { exactValue } from "./evaluate.js";
import { sympyIsEquiv } from "./sympy-equiv.js";

const eq = (a: string, b: string) => sympyIsEquiv(a, b, Deadline.after(2000)).equal;
const parses = (s: string) => {
  try {
    parseLatex(s, Deadline.after(2000));
    return true;
  } catch {
    return false;
  }
};
/** The exact value sympy's parse_latex gives a constant answer (checked against sympy 1.14). */
const value = (s: string) => {
  const q = exactValue(parseLatex(s, Deadline.after(2000)), Deadline.after(2000));
  return q.d === 1n ? q.n.toString() : `${q.n}/${q.d}`;
};

describe("sympy parse_latex emulation", () => {
  it("keeps only the first element of a bare list", () => {
    expect(value("-4, 7")).toBe("-4");
    expect(eq("2, 4, 5", "2, 3, 5")).toBe(true);
    expect(eq("9, -4", "-4, 9")).toBe(false);
  });

  it("reads digit groups as sympy does", () => {
    expect(value("25,000")).toBe("25000");
    expect(value("1,234")).toBe("1234");
    expect(value("25{,}000")).toBe("25");
    expect(value("25\\,000")).toBe("25000");
    expect(value("1,0000")).toBe("0"); // 1000 * 0
  });

  it("fails where sympy fails", () => {
    for (const s of ["\\sqrt5 + 2", ".125", "012", "\\$23.00", "(4, -7)", "[-4, 7)", "\\frac{1}{4", "1,\\ 3,\\ 5", "7.", "2/3.", "40\\%"]) {
      expect(parses(s), s).toBe(false);
    }
  });

  it("stops at what cannot continue, like sympy's start rule without EOF", () => {
    expect(value("4\\sqrt5")).toBe("4");
    expect(value("2^-1")).toBe("2");
    expect(value("3+")).toBe("3");
    expect(value("3^{2,3}")).toBe("3");
    expect(value("2(0, 1)")).toBe("2");
    expect(value("-4, 7 x")).toBe("-4");
  });

  it("splits the digits before a period that cannot be a decimal point", () => {
    expect(value("11.")).toBe("1");
    expect(value("1234.")).toBe("6"); // 1*2*3
    expect(value("12,345.")).toBe("12");
    expect(eq("3.14.", "3.1")).toBe(true);
    expect(value("(12).")).toBe("12");
    expect(value("\\frac96.")).toBe("3/2");
  });

  it("multiplies a mixed number and reads the 'x' between numbers as times", () => {
    expect(value("1\\frac{5}{6}")).toBe("5/6");
    expect(value("2 x 3")).toBe("6");
    expect(value("\\binom{8}{3}")).toBe("56");
    expect(value("5!")).toBe("120");
    expect(value("9^9^9")).toBe((9n ** 81n).toString()); // left-associative
  });

  it("leaves digits of a bare script for the function argument", () => {
    expect(eq("\\log_2 8", "3")).toBe(true);
    expect(eq("\\sin^2 3", "(\\sin 3)^2")).toBe(true);
  });

  it("treats \\text, \\pi and letters as sympy symbols", () => {
    expect(eq("\\text{Thursday}", "\\text{Thursday}")).toBe(true);
    expect(eq("Thursday", "\\text{Thursday}")).toBe(false);
    expect(eq("\\textbf{(B)}", "\\text{(B)}")).toBe(false);
    expect(eq("84 \\text{ marbles}", "84")).toBe(false);
    expect(eq("9.42", "3\\pi")).toBe(false);
  });
});

describe("sympy is_equiv emulation", () => {
  it("compares exactly on rationals", () => {
    expect(eq("\\frac{6}{16}", "\\frac{3}{8}")).toBe(true);
    expect(eq("\\frac{-5}{9}", "-\\frac{5}{9}")).toBe(true);
    expect(eq("2^{10}", "1024")).toBe(true);
    expect(eq("1\\frac{5}{6}", "\\frac{11}{6}")).toBe(false);
  });

  it("compares Floats without tolerance, as 53-bit sympy Floats", () => {
    expect(eq("0.375", "\\frac38")).toBe(true);
    expect(eq("\\frac{3}{5}", "0.6")).toBe(true);
    expect(eq("84.0", "84")).toBe(true);
    expect(eq("2.5 \\times 10^4", "25000")).toBe(true);
    expect(eq("0.6667", "\\frac{2}{3}")).toBe(false);
    expect(eq("0.1+0.2", "0.3")).toBe(false);
  });

  it("proves identities with radicals, pi and variables by value", () => {
    expect(eq("\\sqrt{80}", "4\\sqrt{5}")).toBe(true);
    expect(eq("\\frac{2}{\\sqrt{6}}", "\\frac{\\sqrt{6}}{3}")).toBe(true);
    expect(eq("2(\\pi - 2)", "2\\pi - 4")).toBe(true);
    expect(eq("(x-3)(x+3)", "x^2-9")).toBe(true);
    expect(eq("\\ln 2 + \\ln 3", "\\ln 6")).toBe(true);
    expect(eq("x^{-2}", "\\frac{1}{x^2}")).toBe(true);
    expect(eq("x^2", "x^3")).toBe(false);
    expect(eq("5\\sqrt{4}", "4\\sqrt{5}")).toBe(false);
  });

  it("treats symbols as complex, so sqrt(x^2) is not x", () => {
    expect(eq("\\sqrt{x^2}", "x")).toBe(false);
    expect(eq("\\sqrt{x}\\sqrt{x}", "x")).toBe(true);
  });

  it("is never equal for relations, infinities or undefined values", () => {
    expect(eq("x = 5", "5")).toBe(false);
    expect(eq("\\infty", "\\infty")).toBe(false); // oo - oo = nan
    expect(eq("\\frac{1}{0}", "\\frac{1}{0}")).toBe(false);
  });

  it("gives up on sizes sympy would time out on", () => {
    expect(eq("9^{9^{9^{9}}}", "9^{9^{9^{9}}} + 0")).toBe(false);
    expect(eq("(10^6)!", "(10^6)! + 0")).toBe(false);
  });

  it("cancels identical unevaluated trees, except infinite numbers (sympy: oo - oo = nan)", () => {
    expect(eq("10^{10^{10}}", "10^{10^{10}}")).toBe(true);
    expect(eq("\\ln 0", "\\ln 0")).toBe(true);
    expect(eq("\\frac{2}{0}", "\\frac{2}{0}")).toBe(true);
    expect(eq("\\frac{1}{0}", "\\frac{1}{0}")).toBe(false);
    expect(eq("\\infty + 1", "\\infty + 1")).toBe(false);
  });
});
