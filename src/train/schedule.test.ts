import { describe, expect, it } from "vitest";
import { lrAt, warmupStepsOf } from "./schedule.js";

describe("lrAt (HF LambdaLR semantics: step = completed optimizer steps)", () => {
  it("linear: warmup from 0, then down to 0 at totalSteps", () => {
    const o = { lr: 1, totalSteps: 10, warmupSteps: 2, kind: "linear" as const };
    // warmup: step/2 → 0, 0.5; decay: (10 − s) / (10 − 2)
    expect(lrAt(0, o)).toBe(0);
    expect(lrAt(1, o)).toBe(0.5);
    expect(lrAt(2, o)).toBe(1); // 8/8
    expect(lrAt(6, o)).toBe(0.5); // 4/8
    expect(lrAt(9, o)).toBe(0.125); // 1/8
    expect(lrAt(10, o)).toBe(0);
    expect(lrAt(12, o)).toBe(0);
  });

  it("cosine: half a cosine from lr to 0 (or to the floor)", () => {
    const o = { lr: 2, totalSteps: 10, kind: "cosine" as const };
    expect(lrAt(0, o)).toBe(2); // 2·0.5·(1 + cos 0)
    expect(lrAt(5, o)).toBeCloseTo(1, 12); // 2·0.5·(1 + cos π/2)
    expect(lrAt(10, o)).toBeCloseTo(0, 12); // 2·0.5·(1 + cos π)
    // floor 0.1: 2·(0.1 + 0.9·0.5) = 1.1 at the midpoint, 0.2 at the end
    expect(lrAt(5, { ...o, minLrRatio: 0.1 })).toBeCloseTo(1.1, 12);
    expect(lrAt(10, { ...o, minLrRatio: 0.1 })).toBeCloseTo(0.2, 12);
    // with 4 warmup steps: step 7 is 3/6 of the decay → 2·0.5·(1 + cos π/2) = 1
    expect(lrAt(7, { ...o, warmupSteps: 4 })).toBeCloseTo(1, 12);
    expect(lrAt(2, { ...o, warmupSteps: 4 })).toBe(1); // 2·2/4
  });

  it("constant with warmup", () => {
    const o = { lr: 3e-4, totalSteps: 100, warmupSteps: 4, kind: "constant" as const };
    expect(lrAt(1, o)).toBeCloseTo(7.5e-5, 15);
    expect(lrAt(4, o)).toBe(3e-4);
    expect(lrAt(99, o)).toBe(3e-4);
  });

  it("warmupRatio rounds up like HF's math.ceil", () => {
    // 100 · 0.07 = 7.000000000000001 in binary floating point, so HF (and we) warm up for 8 steps.
    expect(warmupStepsOf({ lr: 1, totalSteps: 100, warmupRatio: 0.07, kind: "linear" })).toBe(8);
    expect(warmupStepsOf({ lr: 1, totalSteps: 1000, warmupRatio: 0.1, kind: "linear" })).toBe(100);
  });

  it("names the bad field", () => {
    expect(() => lrAt(0, { lr: 1, totalSteps: 0, kind: "linear" })).toThrow(/totalSteps/);
    expect(() => lrAt(0, { lr: 1, totalSteps: 5, kind: "constant", minLrRatio: 0.1 })).toThrow(/minLrRatio/);
    expect(() => lrAt(0, { lr: 1, totalSteps: 5, kind: "linear", warmupSteps: 1, warmupRatio: 0.1 })).toThrow(/exclusive/);
    expect(() => lrAt(-1, { lr: 1, totalSteps: 5, kind: "linear" })).toThrow(/step/);
  });
});
