import { describe, expect, it } from "vitest";
import { getUnnormalizedAnswer, lastBoxedOnlyString, mathCandidates, removeBoxed } from "./extract.js";

describe("MathVerifier answer extraction", () => {
  it("takes the last \\boxed{} with balanced braces", () => {
    expect(lastBoxedOnlyString("$\\boxed{14}$ then $\\boxed{\\frac{1}{2}}$")).toBe("\\boxed{\\frac{1}{2}}");
    expect(lastBoxedOnlyString("$\\boxed{\\frac{1}{4}$.")).toBeNull(); // unbalanced
    expect(removeBoxed("\\boxed{\\boxed{21}}")).toBe("\\boxed{21}");
  });

  it("reads `\\boxed X` up to the next $, and never yields a \\fbox", () => {
    expect(lastBoxedOnlyString("The answer is \\boxed 11.")).toBe("\\boxed 11.");
    expect(mathCandidates("The answer is \\boxed 11.")).toEqual(["11."]);
    expect(removeBoxed("\\fbox{3}")).toBeNull();
  });

  it("matches the Minerva sentence case-sensitively, on one line", () => {
    expect(getUnnormalizedAnswer("Final Answer: The final answer is $63$. I hope it is correct.")).toBe("$63$");
    expect(getUnnormalizedAnswer("Final Answer: The final answer is 63. I hope it is correct.")).toBe("63");
    expect(getUnnormalizedAnswer("final answer: the final answer is 63")).toBe("[invalidanswer]");
    expect(getUnnormalizedAnswer("Final Answer: The final answer is 6\n3. I hope it is correct.")).toBe("[invalidanswer]");
  });

  it("orders candidates: box, Minerva; else the last $...$; else the whole response", () => {
    expect(mathCandidates("$\\boxed{63}$.\nFinal Answer: The final answer is $64$. I hope it is correct.")).toEqual(["63", "64"]);
    expect(mathCandidates("So the answer is 21, since $3 \\cdot 7 = 21$.")).toEqual(["21"]);
    expect(mathCandidates("The meeting falls on a Saturday.")).toEqual(["ThemeetingfallsonSaturday.", "The meeting falls on a Saturday."]);
    expect(mathCandidates("<think>\\boxed{20}</think> The answer is 21.")).toEqual(["20"]);
  });
});
