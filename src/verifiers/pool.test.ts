/** The worker pool (runs dist/verifiers/worker.js, which vitest's global setup builds). */
import { afterAll, describe, expect, it } from "vitest";
import { VerifierSpecError } from "../errors.js";
import { VerifierPool, verifyMany } from "./index.js";

describe("verifier pool", () => {
  const pool = new VerifierPool({ concurrency: 2, timeBudgetMs: 2000 });
  afterAll(() => pool.close());

  it("returns results in input order", async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      verifier: i % 2 ? "gsm8k" : "MATH",
      response: i % 2 ? `#### ${i}` : `$\\boxed{\\frac{${2 * i}}{2}}$`,
      spec: { ground_truth: i % 3 === 0 ? String(i) : "-1" },
    }));
    const results = await pool.verifyAll(jobs);
    expect(results.map((r) => r.correct)).toEqual(jobs.map((_, i) => i % 3 === 0));
    expect(results[0]!.reward).toBe(10);
  });

  it("rejects a bad spec with VerifierSpecError", async () => {
    await expect(pool.verify("math", "x", {})).rejects.toBeInstanceOf(VerifierSpecError);
    expect(() => pool.verify("nope", "x", {})).toThrow(VerifierSpecError);
  });

  it("abandons a check that overruns its hard timeout and keeps working", async () => {
    // A hard limit far below the work (20,000 sympy comparisons) and the worker's own start-up.
    const strict = new VerifierPool({ concurrency: 1, timeBudgetMs: 60_000, graceMs: -59_990 });
    try {
      const slow = await strict.verify("math", "\\boxed{x^2+1}", { ground_truth: Array(20_000).fill("x^2+2") });
      expect(slow).toMatchObject({ correct: false, reward: 0 });
      expect(slow.details.timeout).toBe(true);
      expect(String(slow.details.reason)).toMatch(/hard timeout/);
    } finally {
      await strict.close();
    }
    expect((await pool.verify("gsm8k", "#### 3", { ground_truth: "3" })).correct).toBe(true);
  });

  it("verifyMany runs a one-off batch", async () => {
    const r = await verifyMany([{ verifier: "math", response: "\\boxed{0.5}", spec: { ground_truth: "\\frac12" } }], { concurrency: 1 });
    expect(r[0]!.correct).toBe(true);
  });
});
