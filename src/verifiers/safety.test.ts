/**
 * Hostile model output: every check returns (within its cooperative time budget) with correct: false, and
 * never throws. The vitest timeout backs up the budget; the pool test covers the hard timeout.
 */
import { describe, expect, it } from "vitest";
import { MAX_RESPONSE_CHARS, verify, type VerifyResult } from "./index.js";

const BUDGET = { timeBudgetMs: 1000 };
const math = (response: string, truth = "1"): VerifyResult => verify("math", response, { ground_truth: truth }, BUDGET);
const gsm8k = (response: string, truth = "7"): VerifyResult => verify("gsm8k", response, { ground_truth: truth }, BUDGET);

describe("hostile inputs", () => {
  it("rejects megabyte strings with a reason", () => {
    const huge = "9".repeat(1 << 20);
    for (const r of [math(huge), gsm8k(huge)]) {
      expect(r.correct).toBe(false);
      expect(String(r.details.reason)).toMatch(/longer than/);
    }
  });

  it("survives strings just under the size bound", () => {
    const n = MAX_RESPONSE_CHARS - 100;
    const inputs = [
      "\\boxed{".repeat(n / 7),
      "$".repeat(n),
      "Final Answer: The final answer is ".repeat(n / 34),
      "\\text{".repeat(n / 6),
      "1.".repeat(n / 2),
      "frac".repeat(n / 4),
      "{".repeat(n),
      "(".repeat(n / 2) + "1",
      "\\boxed{" + "1+".repeat(n / 2 - 10) + "1}",
    ];
    for (const s of inputs) {
      expect(math(s).correct).toBe(false);
      expect(gsm8k(s).correct).toBe(false);
    }
  });

  it("gives up on \\frac nested 10,000 deep", () => {
    const deep = "\\boxed{" + "\\frac{1}{".repeat(10_000) + "2" + "}".repeat(10_000) + "}";
    expect(math(deep).correct).toBe(false);
    expect(math("$" + "\\sqrt{".repeat(10_000) + "4" + "}".repeat(10_000) + "$", "2").correct).toBe(false);
    expect(math("\\boxed{" + "(".repeat(10_000) + "1" + ")".repeat(10_000) + "}").correct).toBe(false);
  });

  it("refuses towers of powers and huge factorials instead of computing them", () => {
    expect(math("\\boxed{9^{9^{9^{9}}}}").correct).toBe(false);
    expect(math("\\boxed{9^{9^{9^{9}}}+1}", "9^{9^{9^{9}}}+2").correct).toBe(false);
    expect(math("\\boxed{(10^6)!}").correct).toBe(false);
    expect(math("\\boxed{factorial(10^6)}").correct).toBe(false);
    expect(math("\\boxed{10^{10^{10}}+0}", "10^{10^{10}}").correct).toBe(false); // sympy would time out too
    expect(math("\\boxed{\\binom{10^{9}}{10^{8}}}").correct).toBe(false);
    // ((9^9)^9)^9 = 9^729 is small enough to compare exactly, as sympy does
    expect(math("\\boxed{9^9^9^9}", "9^{729}").correct).toBe(true);
  });

  it("has no catastrophic backtracking on regex-bomb shapes", () => {
    const bombs = [
      "1,".repeat(50_000) + "x",
      "-+".repeat(50_000),
      ".".repeat(100_000) + "5",
      "0".repeat(100_000) + ".",
      "Final Answer: The final answer is" + " a".repeat(50_000) + "\n. I hope it is correct",
      "$a$".repeat(30_000),
      "\\text{ x".repeat(20_000),
      "sqrt".repeat(40_000),
    ];
    for (const s of bombs) {
      expect(math(s, "2").correct).toBe(false);
      expect(gsm8k(s).correct).toBe(false);
    }
  });

  it("scores a check that runs out of its budget incorrect with details.timeout", () => {
    const r = verify("math", "\\boxed{x^2+1}", { ground_truth: Array(20_000).fill("x^2+2") }, { timeBudgetMs: 1 });
    expect(r.correct).toBe(false);
    expect(r.details.timeout).toBe(true);
  });
});
