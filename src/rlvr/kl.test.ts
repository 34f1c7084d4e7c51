import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs"; // registers the gradient functions (not in tfjs-core's Node bundle)
import { beforeAll, describe, expect, it } from "vitest";
import { assertNoLeak } from "../train/index.js";
import { klPerToken } from "./kl.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const values = (x: tf.Tensor) => Array.from(x.dataSync());

describe("klPerToken", () => {
  // d = logp − ref = [0.5, −1, 0]
  const logp = () => tf.tensor1d([-1.5, -3, -2]);
  const ref = () => tf.tensor1d([-2, -2, -2]);

  it("k1 = d, k2 = d²/2, k3 = exp(−d) − 1 + d", () => {
    // k3: d = 0.5 → e^−0.5 − 0.5 = 0.6065306597 − 0.5 = 0.1065306597; d = −1 → e − 1 − 1 = 0.7182818285
    const cases: [string, number[]][] = [
      ["k1", [0.5, -1, 0]],
      ["k2", [0.125, 0.5, 0]],
      ["k3", [0.1065306597, 0.7182818285, 0]],
    ];
    for (const [estimator, want] of cases) {
      const out = klPerToken(logp(), ref(), estimator as "k1" | "k2" | "k3");
      values(out).forEach((x, i) => expect(x).toBeCloseTo(want[i], 6));
      out.dispose();
    }
  });

  it("k3 equals TRL's form exp(ref − logp) − (ref − logp) − 1", () => {
    const lp = tf.tensor1d([-0.3, -4, -1.25]);
    const rf = tf.tensor1d([-0.9, -2.5, -1.0]);
    const ours = values(klPerToken(lp, rf, "k3"));
    const trl = [-0.3 - -0.9, -4 - -2.5, -1.25 - -1.0].map((d) => Math.exp(-d) + d - 1);
    ours.forEach((x, i) => expect(x).toBeCloseTo(trl[i], 6));
  });

  it("clamps the log-ratio so k3 stays finite", () => {
    // d = 100 → clamped to 20: e^−20 − 1 + 20 = 19.000000002; d = −100 → clamped to −20: e^20 − 21 = 485165174.4
    const out = values(klPerToken(tf.tensor1d([0, -100]), tf.tensor1d([-100, 0]), "k3"));
    expect(out[0]).toBeCloseTo(19, 5);
    expect(out[1] / 485165174.4).toBeCloseTo(1, 6);
  });

  it("has gradient 1 − exp(−d) for k3 and allocates nothing that survives", async () => {
    const lp = logp();
    const rf = ref();
    const g = tf.grad((x: tf.Tensor) => tf.sum(klPerToken(x, rf, "k3")))(lp);
    // d = [0.5, −1, 0] → [1 − e^−0.5, 1 − e, 0] = [0.3934693, −1.7182818, 0]
    values(g).forEach((x, i) => expect(x).toBeCloseTo([0.3934693, -1.7182818, 0][i], 5));
    await assertNoLeak(() => klPerToken(lp, rf, "k2"));
    expect(() => klPerToken(lp, tf.tensor1d([1]), "k1")).toThrow(/shape/);
    expect(() => klPerToken(lp, rf, "k9" as "k1")).toThrow(/unknown estimator "k9"/);
  });
});
