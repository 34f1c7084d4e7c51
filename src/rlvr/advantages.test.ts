import { describe, expect, it } from "vitest";
import { groupAdvantages } from "./advantages.js";

// Two prompts × 4 samples (TRL layout: a prompt's samples are consecutive).
const rewards = [10, 0, 0, 0, 10, 10, 0, 0];

function expectClose(got: ArrayLike<number>, want: number[], digits = 5): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
}

describe("groupAdvantages", () => {
  it("group scaling with the Bessel std (TRL default)", () => {
    // group 0: mean 2.5, deviations [7.5, −2.5, −2.5, −2.5], Σ² = 56.25 + 3·6.25 = 75, std = sqrt(75/3) = 5
    //          A = [7.5, −2.5, −2.5, −2.5] / 5.0001 = [1.49997, −0.49999, ...]
    // group 1: mean 5, deviations ±5, Σ² = 100, std = sqrt(100/3) = 5.7735027
    //          A = ±5 / 5.7736027 = ±0.8660104
    const out = groupAdvantages(rewards, { groupSize: 4 });
    expectClose(out.advantages, [1.49997, -0.49999, -0.49999, -0.49999, 0.8660104, 0.8660104, -0.8660104, -0.8660104]);
    expectClose(out.groupMean, [2.5, 5]);
    expectClose(out.groupStd, [5, 5.7735027]);
    expect(out.zeroStdGroups).toEqual([]);
    // The recipe's boolean scale_rewards: true is "group".
    expect(Array.from(groupAdvantages(rewards, { groupSize: 4, scaleRewards: true }).advantages)).toEqual(Array.from(out.advantages));
  });

  it("open-instruct's standard variant: population std, eps 1e-8", () => {
    // group 0: std = sqrt(75/4) = 4.3301270 → A_0 = 7.5 / 4.3301270 = 1.7320508, others −2.5 / 4.3301270 = −0.5773503
    const out = groupAdvantages(rewards, { groupSize: 4, std: "population", eps: 1e-8 });
    expectClose(out.advantages.slice(0, 4), [1.7320508, -0.5773503, -0.5773503, -0.5773503]);
  });

  it("batch scaling keeps the group mean but divides by the batch std", () => {
    // batch: mean 3.75; deviations 6.25 (×3) and −3.75 (×5): Σ² = 117.1875 + 70.3125 = 187.5
    // std = sqrt(187.5 / 7) = 5.1754917 → A_0 = 7.5 / 5.1755917 = 1.4491097, group 1: ±5 / 5.1755917 = ±0.9660731
    const out = groupAdvantages(rewards, { groupSize: 4, scaleRewards: "batch" });
    expectClose(out.advantages, [1.4491097, -0.4830366, -0.4830366, -0.4830366, 0.9660731, 0.9660731, -0.9660731, -0.9660731]);
  });

  it("no scaling (Dr. GRPO, scale_rewards false) only centres, and flags groups without signal", () => {
    const out = groupAdvantages([1, 1, 1, 0, 2, 4], { groupSize: 3, scaleRewards: false });
    // group 0: all 1 → A = 0 and std 0; group 1: mean 2 → [−2, 0, 2]
    expectClose(out.advantages, [0, 0, 0, -2, 0, 2]);
    expect(out.zeroStdGroups).toEqual([0]);
  });

  it("rejects layouts and values it cannot use", () => {
    expect(() => groupAdvantages([1, 2, 3], { groupSize: 2 })).toThrow(/groups of 2/);
    expect(() => groupAdvantages([1, 2], { groupSize: 1 })).toThrow(/groupSize >= 2/);
    expect(() => groupAdvantages([1, NaN], { groupSize: 2 })).toThrow(/reward 1 is NaN/);
    expect(() => groupAdvantages([1, 2], { groupSize: 2, scaleRewards: "sequence" as "group" })).toThrow(/scaleRewards/);
  });
});
