import { describe, expect, it } from "vitest";
import { hendrycksIsEquiv, stripString } from "./hendrycks.js";
import { normalizeFinalAnswer } from "./minerva.js";

// Hendrycks MATH `strip_string` / `is_equiv` as open-instruct's math_utils.py has them, rule by rule.
describe("Hendrycks strip_string", () => {
  it.each([
    ["\\dfrac{3}{8}", "\\frac{3}{8}"],
    ["\\tfrac12", "\\frac{1}{2}"],
    ["\\frac38", "\\frac{3}{8}"],
    ["\\frac1{72}", "\\frac{1}{72}"],
    ["\\left( 4, -7 \\right)", "(4,-7)"],
    ["24^\\circ", "24"],
    ["24^{\\circ}", "24"],
    ["\\$18.75", "18.75"],
    ["40\\%", "40"],
    ["22\\text{ cm}", "22"],
    ["0.5", "\\frac{1}{2}"],
    [".125", "0.125"],
    ["x = 5", "5"],
    ["k=14", "14"],
    ["abc = 5", "abc=5"],
    ["\\sqrt3", "\\sqrt{3}"],
    ["3/8", "\\frac{3}{8}"],
    ["1\\!000", "1000"],
    ["a\nb", "ab"],
  ])("%j -> %j", (input, out) => {
    expect(stripString(input)).toBe(out);
  });

  it("keeps what it does not know", () => {
    expect(stripString("22 \\text{cm}")).toBe("22\\text{cm}"); // unit without the inner space stays
    expect(stripString("24\\degree")).toBe("24\\degree");
    expect(stripString("08/2")).toBe("08/2"); // not canonical integers: left alone
  });

  it("falls back to raw equality where the Python raises", () => {
    // two `\text{ ` (AssertionError), `\sqrt` / `\frac` at the very end (IndexError), `\sqrt{6}/3` (int() ValueError)
    expect(hendrycksIsEquiv("5\\text{ a}\\text{ b}", "5")).toBe(false);
    expect(hendrycksIsEquiv("5\\text{ a}\\text{ b}", "5\\text{ a}\\text{ b}")).toBe(true);
    expect(() => stripString("2\\sqrt")).toThrow();
    expect(() => stripString("\\sqrt{6}/3")).toThrow();
    expect(hendrycksIsEquiv("\\sqrt{6}/3", "\\frac{\\sqrt{6}}{3}")).toBe(false);
  });

  it("is exact string equality after normalising", () => {
    expect(hendrycksIsEquiv("9, -4", "-4, 9")).toBe(false);
    expect(hendrycksIsEquiv("\\sqrt5 + 2", "2+\\sqrt{5}")).toBe(false);
    expect(hendrycksIsEquiv("40\\%", "40")).toBe(true);
    expect(hendrycksIsEquiv("\\text{Thursday}", "Thursday")).toBe(false);
  });
});

describe("Minerva normalize_final_answer", () => {
  it.each([
    ["$48$ square units", "48"],
    ["n = 343", "343"],
    ["25,000", "25000"],
    ["\\$23", "23"],
    ["135^\\circ", "135"],
    ["\\text{(B)}", "(B)"],
    ["\\textbf{yes}", "yes"],
    ["\\boxed{12}", "12"],
    ["\\frac38", "\\frac{3}{8}"],
    ["\\sqrt2", "\\sqrt{2}"],
    ["36 \\text{ m}^2", "36"],
    ["1,\\!000", "1000"],
    ["a $x$ and $y$", "x"],
  ])("%j -> %j", (input, out) => {
    expect(normalizeFinalAnswer(input)).toBe(out);
  });

  it("keeps \\, and a comma list of non-digits", () => {
    expect(normalizeFinalAnswer("22\\,\\text{cm}")).toBe("22\\,");
    expect(normalizeFinalAnswer("1, x")).toBe("1,x");
  });
});
