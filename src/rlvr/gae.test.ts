import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs"; // registers the gradient functions (not in tfjs-core's Node bundle)
import { beforeAll, describe, expect, it } from "vitest";
import { assertNoLeak } from "../train/index.js";
import { gae, maskedWhiten, tokenRewards, valueLoss } from "./gae.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function expectClose(t: tf.Tensor, want: number[], digits = 5): void {
  const got = Array.from(t.dataSync());
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
}

const mask = () =>
  tf.tensor2d([
    [1, 1, 1],
    [1, 1, 0],
  ]);

describe("tokenRewards", () => {
  it("puts −β·kl on every response token and the score on the last one", () => {
    // β = 0.05. row 0: [−0.005, −0.01, −0.015 + 10] ; row 1 (2 tokens): [−0.025, +0.025, 0 (padding)]
    const kl = tf.tensor2d([
      [0.1, 0.2, 0.3],
      [0.5, -0.5, 9],
    ]);
    expectClose(tokenRewards(tf.tensor1d([10, 0]), kl, mask(), 0.05), [-0.005, -0.01, 9.985, -0.025, 0.025, 0]);
  });
});

describe("gae", () => {
  // row 0: rewards [0, 0, 1], values [0.5, 0.6, 0.7]
  // row 1: rewards [0, 1, junk], values [0.2, 0.4, junk], padded at t = 2
  const rewards = () => tf.tensor2d([[0, 0, 1], [0, 1, 5]]);
  const values = () => tf.tensor2d([[0.5, 0.6, 0.7], [0.2, 0.4, 9]]);

  it("γ = 1, λ = 0.95 (Tülu 3) by hand", () => {
    // row 0: δ2 = 1 + 0 − 0.7 = 0.3 → A2 = 0.3
    //        δ1 = 0 + 0.7 − 0.6 = 0.1 → A1 = 0.1 + 0.95·0.3 = 0.385
    //        δ0 = 0 + 0.6 − 0.5 = 0.1 → A0 = 0.1 + 0.95·0.385 = 0.46575
    // row 1: t = 2 is padding → 0; δ1 = 1 + 0 − 0.4 = 0.6 → A1 = 0.6; δ0 = 0.4 − 0.2 = 0.2 → A0 = 0.2 + 0.95·0.6 = 0.77
    // returns = A + V: [0.96575, 0.985, 1.0], [0.97, 1.0, 0]
    const out = gae(rewards(), values(), mask(), { gamma: 1, lambda: 0.95, whiten: false });
    expectClose(out.advantages, [0.46575, 0.385, 0.3, 0.77, 0.6, 0]);
    expectClose(out.returns, [0.96575, 0.985, 1.0, 0.97, 1.0, 0]);
  });

  it("discounts with γ < 1", () => {
    // γ = 0.9, λ = 0.5, row 0: δ2 = 0.3; δ1 = 0.9·0.7 − 0.6 = 0.03; δ0 = 0.9·0.6 − 0.5 = 0.04
    // A2 = 0.3; A1 = 0.03 + 0.45·0.3 = 0.165; A0 = 0.04 + 0.45·0.165 = 0.11425
    const out = gae(rewards(), values(), mask(), { gamma: 0.9, lambda: 0.5, whiten: false });
    expectClose(out.advantages.slice([0, 0], [1, 3]), [0.11425, 0.165, 0.3]);
  });

  it("whitens advantages over response tokens (Bessel variance), returns untouched", () => {
    // Five response-token advantages [0.46575, 0.385, 0.3, 0.77, 0.6]: mean 0.50415,
    // variance Σ(x − mean)² / 4 = 0.0343029875 → (x − 0.50415) / sqrt(0.0343029975)
    const out = gae(rewards(), values(), mask(), { gamma: 1, lambda: 0.95 });
    expectClose(out.advantages, [-0.2073315, -0.6433214, -1.1022582, 1.4353924, 0.5175187, 0]);
    expectClose(out.returns, [0.96575, 0.985, 1.0, 0.97, 1.0, 0]);
  });

  it("frees its intermediates and names bad shapes", async () => {
    const r = rewards();
    const v = values();
    const m = mask();
    await assertNoLeak(() => gae(r, v, m, { gamma: 1, lambda: 0.95 }), "gae");
    expect(() => gae(r, tf.zeros([2, 2]) as tf.Tensor2D, m, { gamma: 1, lambda: 0.95 })).toThrow(/values has shape/);
    expect(() => maskedWhiten(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 0]]))).toThrow(/at least 2/);
  });
});

describe("valueLoss", () => {
  it("0.5 · masked mean of max(unclipped, clipped) squared errors", () => {
    // clip range 0.2.
    // t0: V 1.0, V_old 0.7 → V_clip = 0.9; R 1.2: (1.0 − 1.2)² = 0.04, (0.9 − 1.2)² = 0.09 → 0.09 (clipped term wins)
    // t1: V 0.5, V_old 0.6 → within range, V_clip = 0.5; R 0: 0.25 both → 0.25
    // t2: padding. loss = 0.5 · (0.09 + 0.25) / 2 = 0.085; clip fraction 1/2
    const values = tf.tensor2d([[1.0, 0.5, 2.0]]);
    const oldValues = tf.tensor2d([[0.7, 0.6, 0]]);
    const returns = tf.tensor2d([[1.2, 0.0, 5]]);
    const m = tf.tensor2d([[1, 1, 0]]);
    const out = valueLoss(values, oldValues, returns, m, 0.2);
    expectClose(out.loss, [0.085]);
    expectClose(out.clipFraction, [0.5]);
    // Gradient: t0's winning term is the clipped one, constant in V → 0; t1: 0.5 · 2·(0.5 − 0)/2 = 0.25; t2 padding → 0
    const grad = tf.grad((v: tf.Tensor) => valueLoss(v as tf.Tensor2D, oldValues, returns, m, 0.2).loss)(values);
    expectClose(grad, [0, 0.25, 0]);
  });
});
