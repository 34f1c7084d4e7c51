import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { Olmo2Model, configFromPreset } from "../model/index.js";
import { pairBatch, type TokenizedResponse } from "./data.js";
import { PAIRS } from "./test-helpers.js";
import { dpoBatchLoss, pairLogpsOf, pairStats, PairStatsAccumulator } from "./step.js";

beforeAll(async () => {
  await initBackend("wasm");
});

/** Σ_{t ≥ promptLength} log p(ids[t] | ids[<t]), one unpadded sequence at a time, with a plain log-softmax. */
function directLogp(model: Olmo2Model, side: TokenizedResponse): number {
  return tf.tidy(() => {
    const n = side.ids.length;
    const logits = model.forward(tf.tensor2d([side.ids.slice(0, n - 1)], undefined, "int32"));
    const logp = tf.logSoftmax(logits).arraySync() as number[][][];
    let sum = 0;
    for (let t = side.promptLength; t < n; t++) sum += logp[0]![t - 1]![side.ids[t]!]!;
    return sum;
  });
}

describe("per-sequence log-probs of a pair batch", () => {
  it("equal a direct per-token sum over exactly the response tokens", () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 11);
    const got = pairLogpsOf(model, pairBatch(PAIRS, 1));
    const want = { chosen: PAIRS.map((p) => directLogp(model, p.chosen)), rejected: PAIRS.map((p) => directLogp(model, p.rejected)) };
    got.chosen.forEach((x, i) => expect(x).toBeCloseTo(want.chosen[i]!, 4));
    got.rejected.forEach((x, i) => expect(x).toBeCloseTo(want.rejected[i]!, 4));
    // A boundary off by one would move a whole token's log-prob (about log(1/64) ≈ −4.2 here).
    expect(Math.abs(want.chosen[0]!)).toBeGreaterThan(3 * 3);
    model.dispose();
  });

  it("give the sigmoid loss log 2 and zero rewards when the policy is the reference", () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 12);
    const batch = pairBatch(PAIRS, 1);
    const reference = pairLogpsOf(model, batch);
    const before = tf.memory().numTensors;
    const out = dpoBatchLoss(model, batch, reference, { lossType: "sigmoid", options: { beta: 0.1 }, rpoAlpha: 0 });
    const stats = pairStats(out);
    tf.dispose(Object.values(out));
    expect(tf.memory().numTensors).toBe(before);
    stats.losses.forEach((l) => expect(l).toBeCloseTo(Math.LN2, 5));
    stats.chosenRewards.forEach((r) => expect(r).toBeCloseTo(0, 5));
    expect(stats.chosenLogps).toEqual(reference.chosen.map((x) => expect.closeTo(x, 4)));
    model.dispose();
  });

  it("dpo_norm divides by the response-token counts of the mask", () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 13);
    const batch = pairBatch(PAIRS, 1);
    const policy = pairLogpsOf(model, batch);
    const reference = { chosen: [0, 0, 0], rejected: [0, 0, 0] };
    const out = dpoBatchLoss(model, batch, reference, { lossType: "dpo_norm", options: { beta: 2 }, rpoAlpha: 0 });
    const stats = pairStats(out);
    tf.dispose(Object.values(out));
    const counts = { chosen: [3, 2, 2], rejected: [2, 6, 1] };
    stats.chosenLogps.forEach((x, i) => expect(x).toBeCloseTo(policy.chosen[i]! / counts.chosen[i]!, 4));
    stats.rejectedRewards.forEach((x, i) => expect(x).toBeCloseTo((2 * policy.rejected[i]!) / counts.rejected[i]!, 4));
    model.dispose();
  });
});

describe("pooled metrics", () => {
  it("average over every pair added, under TRL's names", () => {
    const acc = new PairStatsAccumulator();
    acc.add({ losses: [1, 3], chosenRewards: [0.5, -1], rejectedRewards: [0, 0], chosenLogps: [-2, -4], rejectedLogps: [-3, -3] });
    acc.add({ losses: [2], chosenRewards: [1], rejectedRewards: [2], chosenLogps: [-6], rejectedLogps: [-3] });
    expect(acc.flush("eval/")).toEqual({
      "eval/loss": 2,
      "eval/rewards/chosen": 0.5 / 3,
      "eval/rewards/rejected": 2 / 3,
      "eval/rewards/accuracies": 1 / 3,
      "eval/rewards/margins": (0.5 - 1 - 1) / 3,
      "eval/logps/chosen": -4,
      "eval/logps/rejected": -3,
    });
    expect(acc.flush()).toEqual({});
  });
});
