import { describe, expect, it } from "vitest";
import { VerifierSpecError } from "../errors.js";
import { MAX_RESPONSE_CHARS, VERIFIER_NAMES, resolveVerifier, verify } from "./index.js";

describe("verifier registry", () => {
  it("resolves verifier and AI2 dataset names case-insensitively", () => {
    expect(resolveVerifier("gsm8k")).toBe("gsm8k");
    expect(resolveVerifier("MATH")).toBe("math");
    expect(resolveVerifier("IFEval")).toBe("ifeval");
    expect(VERIFIER_NAMES).toEqual(["gsm8k", "math", "ifeval"]);
  });

  it("rejects unknown names with the list of valid ones", () => {
    expect(() => resolveVerifier("code")).toThrow(VerifierSpecError);
    expect(() => resolveVerifier("code")).toThrow(/gsm8k, math, ifeval/);
  });

  it("pays Tülu 3 rewards by default, configurable", () => {
    expect(verify("gsm8k", "#### 5", { ground_truth: "5" }).reward).toBe(10);
    expect(verify("gsm8k", "#### 4", { ground_truth: "5" }).reward).toBe(0);
    expect(verify("math", "\\boxed{5}", { ground_truth: "5" }, { correctReward: 1, incorrectReward: -1 }).reward).toBe(1);
    expect(verify("math", "\\boxed{4}", { ground_truth: "5" }, { correctReward: 1, incorrectReward: -1 }).reward).toBe(-1);
  });

  it("throws VerifierSpecError on a bad spec, naming the problem", () => {
    expect(() => verify("math", "x", {})).toThrow(/ground_truth/);
    expect(() => verify("gsm8k", "x", { ground_truth: [] })).toThrow(VerifierSpecError);
    expect(() => verify("gsm8k", "x", { ground_truth: "x".repeat(20_000) })).toThrow(/longer than/);
  });

  it("scores an oversized response incorrect with a reason instead of reading it", () => {
    const r = verify("gsm8k", "1".repeat(MAX_RESPONSE_CHARS + 1), { ground_truth: "1" });
    expect(r).toMatchObject({ correct: false, reward: 0 });
    expect(String(r.details.reason)).toMatch(/longer than/);
  });
});
