import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { AdamW } from "../train/index.js";
import { groupAdvantages } from "./advantages.js";
import { grpoUpdate, type GrpoConfig } from "./grpo.js";
import { maxChange, microModel, microRollouts, snapshot } from "./test-helpers.js";

const G = 4;
const BASE: GrpoConfig = {
  numGenerations: G,
  temperature: 1,
  lossType: "dapo",
  scaleRewards: true,
  epsilon: 0.2,
  epsilonHigh: null,
  beta: 0,
  klEstimator: "k3",
  numIterations: 1,
  microBatches: 1,
  maxResponseLength: 6,
  maxGradNorm: 1,
};
// Three prompts x four samples; the last group is all-equal (no learning signal).
const REWARDS = [10, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 0];

beforeAll(async () => {
  await initBackend("wasm");
});

describe("grpoUpdate", () => {
  it("micro-model GRPO step: finite loss, the policy changes, the frozen reference does not, nothing leaks", async () => {
    const policy = microModel();
    const reference = policy.clone();
    const samples = await microRollouts(policy, G);
    const refBefore = snapshot(reference);
    const policyBefore = snapshot(policy);
    const optimizer = new AdamW(policy.weights);
    const tensorsBefore = tf.memory().numTensors;
    const out = grpoUpdate({ policy, reference, optimizer }, samples, REWARDS, { ...BASE, beta: 0.1, numIterations: 2, microBatches: 2 }, 1, () => 1e-2);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(out.updates).toBe(2);
    expect(Number.isFinite(out.loss)).toBe(true);
    expect(out.grad_norm).toBeGreaterThan(0);
    expect(out.extra.kl).toBeGreaterThan(0); // the second update sees a policy that moved away from the reference
    expect(out.extra.frac_reward_zero_std).toBeCloseTo(1 / 3, 6);
    for (const key of ["clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean"]) expect(out.extra[key]).toBeGreaterThanOrEqual(0);
    expect(maxChange(policy, policyBefore)).toBeGreaterThan(1e-3);
    expect(maxChange(reference, refBefore)).toBe(0);
    optimizer.dispose();
    policy.dispose();
    reference.dispose();
  });

  it("with beta 0 and every group's rewards equal, no update is taken", async () => {
    const policy = microModel();
    const samples = await microRollouts(policy, G);
    const before = snapshot(policy);
    const optimizer = new AdamW(policy.weights);
    const out = grpoUpdate({ policy, reference: null, optimizer }, samples, samples.map(() => 10), BASE, 1, () => 1e-2);
    expect(out.updates).toBe(0);
    expect(maxChange(policy, before)).toBe(0);
    optimizer.dispose();
    policy.dispose();
  });

  for (const lossType of ["grpo", "dr_grpo", "dapo"] as const) {
    it(`${lossType}: the step loss matches the hand formula and does not depend on the micro-batch split`, async () => {
      const policy = microModel();
      const samples = await microRollouts(policy, G);
      const { advantages } = groupAdvantages(REWARDS, { groupSize: G });
      // One update with a detached ratio (value 1): per-token loss −A_i, so
      //   grpo: −mean_i A_i   dr_grpo: −Σ_i A_i·n_i / (B·L)   dapo: −Σ_i A_i·n_i / Σ_i n_i
      const n = samples.map((s) => s.responseIds.length);
      const sumAn = samples.reduce((a, _, i) => a + advantages[i]! * n[i]!, 0);
      const expected = {
        grpo: -advantages.reduce((a, x) => a + x, 0) / samples.length,
        dr_grpo: -sumAn / (samples.length * BASE.maxResponseLength),
        dapo: -sumAn / n.reduce((a, x) => a + x, 0),
      }[lossType];
      for (const microBatches of [1, 3]) {
        const copy = policy.clone();
        const optimizer = new AdamW(copy.weights);
        const out = grpoUpdate({ policy: copy, reference: null, optimizer }, samples, REWARDS, { ...BASE, lossType, microBatches }, 1, () => 1e-3);
        expect(out.loss).toBeCloseTo(expected, 5);
        optimizer.dispose();
        copy.dispose();
      }
      policy.dispose();
    });
  }
});
