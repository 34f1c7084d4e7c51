import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { AdamW } from "../train/index.js";
import { ppoUpdate, responseValues, valueModelFrom, type PpoConfig } from "./ppo.js";
import { responseBatch } from "./rollout.js";
import { maxChange, microModel, microRollouts, snapshot } from "./test-helpers.js";

const CONFIG: PpoConfig = {
  temperature: 1,
  epsilon: 0.2,
  epsilonHigh: null,
  beta: 0.05,
  gamma: 1,
  lam: 0.95,
  vfCoef: 0.1,
  clipRangeValue: 0.2,
  numPpoEpochs: 2,
  microBatches: 2,
  maxGradNorm: 1,
};

beforeAll(async () => {
  await initBackend("wasm");
});

describe("PPO", () => {
  it("the value model is a copy of the policy whose value head starts at 0", async () => {
    const policy = microModel();
    const value = await valueModelFrom(policy);
    const samples = await microRollouts(policy, 1);
    const values = responseValues(value, responseBatch(samples, 1));
    expect(Math.max(...Array.from(values.dataSync(), Math.abs))).toBe(0);
    expect(value.weights.get("model.layers.0.mlp.up_proj.weight")!.dataSync()).toEqual(policy.weights.get("model.layers.0.mlp.up_proj.weight")!.dataSync());
    tf.dispose(values);
    value.dispose();
    policy.dispose();
  });

  it("micro-model PPO step: finite losses, policy and value change, the frozen reference does not, nothing leaks", async () => {
    const policy = microModel();
    const reference = policy.clone();
    const value = await valueModelFrom(policy);
    const samples = await microRollouts(policy, 1);
    const scores = samples.map((_, i) => (i % 2 === 0 ? 10 : 0));
    const [policyBefore, refBefore, valueBefore] = [snapshot(policy), snapshot(reference), snapshot(value)];
    const policyOptimizer = new AdamW(policy.weights);
    const valueOptimizer = new AdamW(value.weights);
    const tensorsBefore = tf.memory().numTensors;
    const out = ppoUpdate({ policy, reference, value, policyOptimizer, valueOptimizer }, samples, scores, CONFIG, 1, () => 1e-2);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(out.updates).toBe(2);
    expect(Number.isFinite(out.loss)).toBe(true);
    expect(out.extra.value_loss).toBeGreaterThan(0);
    expect(out.extra.kl).toBeCloseTo(0, 5); // rollout-time KL: policy and reference are still equal
    expect(maxChange(policy, policyBefore)).toBeGreaterThan(1e-3);
    expect(maxChange(value, valueBefore)).toBeGreaterThan(1e-3);
    expect(maxChange(reference, refBefore)).toBe(0);
    // The value head learned something: values are no longer all 0.
    const values = responseValues(value, responseBatch(samples, 1));
    expect(Math.max(...Array.from(values.dataSync(), Math.abs))).toBeGreaterThan(0);
    tf.dispose(values);
    for (const o of [policyOptimizer, valueOptimizer]) o.dispose();
    for (const m of [policy, reference, value]) m.dispose();
  });
});
