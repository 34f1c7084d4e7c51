import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs"; // registers the gradient functions (not in tfjs-core's Node bundle)
import { beforeAll, describe, expect, it } from "vitest";
import { assertNoLeak } from "../train/index.js";
import { disposePolicyLossOutput, policyLoss, policyLossMetrics, type PolicyLossInputs, type PolicyLossOptions } from "./policy-loss.js";
import { expectWasmMatchesCpu } from "../train/test-helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// Two completions, T = 3, the second one padded after 2 tokens. Old log-probs all −1; the current policy's
// log-ratios are chosen to hit every clip case with ε = 0.2:
//   row 0 (A = +1): r = [1, 1.5, 0.5]      row 1 (A = −2): r = [0.5, 1.5, (padding)]
// Per-token loss −min(r·A, clip(r, 0.8, 1.2)·A):
//   row 0: r 1   → −min(1, 1) = −1
//          r 1.5 → −min(1.5, 1.2) = −1.2      (high-clipped: r > 1.2 and A > 0)
//          r 0.5 → −min(0.5, 0.8) = −0.5      (not clipped: A > 0 takes the smaller, unclipped term)
//   row 1: r 0.5 → −min(−1, −1.6) = 1.6       (low-clipped: r < 0.8 and A < 0)
//          r 1.5 → −min(−3, −2.4) = 3         (not clipped)
// Sums: row 0 = −2.7 over 3 tokens, row 1 = 4.6 over 2 tokens; 5 tokens in all.
const LN = Math.log;
const oldRow = [-1, -1, -1];
const logRatios = [
  [0, LN(1.5), LN(0.5)],
  [LN(0.5), LN(1.5), 0],
];

function inputs(extra: Partial<PolicyLossInputs> = {}): PolicyLossInputs {
  return {
    logp: tf.tensor2d(logRatios.map((row) => row.map((d, t) => oldRow[t] + d))),
    oldLogp: tf.tensor2d([oldRow, oldRow]),
    advantages: tf.tensor1d([1, -2]),
    mask: tf.tensor2d([
      [1, 1, 1],
      [1, 1, 0],
    ]),
    ...extra,
  };
}

function lossOf(options: PolicyLossOptions, extra: Partial<PolicyLossInputs> = {}): Record<string, number> {
  const out = policyLoss(inputs(extra), options);
  const metrics = policyLossMetrics(out);
  disposePolicyLossOutput(out);
  return metrics;
}

describe("policyLoss aggregation (TRL _compute_loss)", () => {
  it("grpo: mean over rows of per-row token means", () => {
    // (−2.7/3 + 4.6/2) / 2 = (−0.9 + 2.3) / 2 = 0.7
    expect(lossOf({ lossType: "grpo" }).loss).toBeCloseTo(0.7, 5);
    // TRL divides by the gradient accumulation steps: 0.7 / 2
    expect(lossOf({ lossType: "grpo", gradientAccumulationSteps: 2 }).loss).toBeCloseTo(0.35, 5);
  });

  it("bnpo: token mean over the micro-batch", () => {
    // (−2.7 + 4.6) / 5 = 0.38
    expect(lossOf({ lossType: "bnpo" }).loss).toBeCloseTo(0.38, 5);
  });

  it("dr_grpo: divided by B · maxCompletionLength", () => {
    // 1.9 / (2 · 4) = 0.2375
    expect(lossOf({ lossType: "dr_grpo", maxCompletionLength: 4 }).loss).toBeCloseTo(0.2375, 5);
    expect(() => lossOf({ lossType: "dr_grpo" })).toThrow(/maxCompletionLength/);
  });

  it("dapo: divided by the tokens of the whole accumulated batch", () => {
    // 1.9 / 10 = 0.19; without numItemsInBatch the local 5 tokens: 0.38
    expect(lossOf({ lossType: "dapo", numItemsInBatch: 10 }).loss).toBeCloseTo(0.19, 5);
    expect(lossOf({ lossType: "dapo" }).loss).toBeCloseTo(0.38, 5);
  });

  it("reports TRL's clip fractions over completion tokens", () => {
    const m = lossOf({ lossType: "bnpo" });
    // one low-clipped (row 1, t 0) and one high-clipped (row 0, t 1) token of 5
    expect(m["clip_ratio/low_mean"]).toBeCloseTo(0.2, 6);
    expect(m["clip_ratio/high_mean"]).toBeCloseTo(0.2, 6);
    expect(m["clip_ratio/region_mean"]).toBeCloseTo(0.4, 6);
    expect(m.kl).toBeUndefined();
  });

  it("clip-higher (DAPO ε_high = 0.28) moves only the upper bound", () => {
    // row 0, t 1 now clips at 1.28: −min(1.5, 1.28) = −1.28 → bnpo (−2.78 + 4.6) / 5 = 0.364.
    // r = 1.5 > 1.28, so that token still counts as high-clipped.
    const m = lossOf({ lossType: "bnpo", epsilonHigh: 0.28 });
    expect(m.loss).toBeCloseTo(0.364, 5);
    expect(m["clip_ratio/high_mean"]).toBeCloseTo(0.2, 6);
  });

  it("adds β·k3 to every completion token and reports the KL", () => {
    // ref = logp − 0.5 on every token → d = 0.5, k3 = e^−0.5 − 0.5 = 0.1065306597; β = 0.1 adds 0.0106530660
    // to each token's loss, so grpo becomes 0.7 + 0.0106530660 = 0.7106530660.
    const base = inputs();
    const refLogp = tf.sub(base.logp, 0.5) as tf.Tensor2D;
    const m = lossOf({ lossType: "grpo", beta: 0.1 }, { refLogp });
    expect(m.loss).toBeCloseTo(0.710653066, 5);
    expect(m.kl).toBeCloseTo(0.1065306597, 5);
    expect(() => lossOf({ lossType: "grpo", beta: 0.1 })).toThrow(/refLogp/);
  });

  it("sequence-level importance sampling (GSPO) uses one ratio per row", () => {
    // row 0: mean log-ratio (0 + ln 1.5 + ln 0.5)/3 = ln(0.75)/3 → r = 0.75^(1/3) = 0.9085603 (inside the clip range)
    //        per-token loss −0.9085603; row 1: ln(0.75)/2 → r = 0.8660254, A = −2 → 1.7320508
    // grpo: (−0.9085603 + 1.7320508) / 2 = 0.4117453
    const m = lossOf({ lossType: "grpo", importanceSampling: "sequence" });
    expect(m.loss).toBeCloseTo(0.4117453, 5);
    expect(m["clip_ratio/region_mean"]).toBe(0);
  });

  it("per-token advantages [B, T] (PPO with GAE) broadcast nothing", () => {
    // Same numbers as row-wise advantages written out per token: bnpo 0.38.
    const advantages = tf.tensor2d([
      [1, 1, 1],
      [-2, -2, 99], // the padded position's value must not matter
    ]);
    expect(lossOf({ lossType: "bnpo" }, { advantages }).loss).toBeCloseTo(0.38, 5);
  });
});

describe("policyLoss gradient", () => {
  it("matches the analytic gradient and central finite differences", () => {
    // d loss / d logp_t = −A·r_t·m_t / D where the unclipped term is the minimum, 0 where the clip binds.
    // bnpo, D = 5: row 0: [−1·1, 0 (clipped), −1·0.5] / 5 = [−0.2, 0, −0.1]
    //              row 1: [0 (clipped), 2·1.5, 0 (padding)] / 5 = [0, 0.6, 0]
    const base = inputs();
    const f = (logp: tf.Tensor) => policyLoss({ ...base, logp: logp as tf.Tensor2D }, { lossType: "bnpo" }).loss;
    const grad = tf.grad(f)(base.logp);
    const analytic = [-0.2, 0, -0.1, 0, 0.6, 0];
    Array.from(grad.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(analytic[i], 5));
    // Central differences with the KL term on (β = 0.05, k3) so the check also covers the estimator's gradient.
    const refLogp = tf.tensor2d([
      [-1.2, -0.7, -1.9],
      [-1.4, -0.8, -1.0],
    ]);
    const opts: PolicyLossOptions = { lossType: "grpo", beta: 0.05 };
    const g = tf.grad((logp: tf.Tensor) => policyLoss({ ...base, refLogp, logp: logp as tf.Tensor2D }, opts).loss)(base.logp);
    const analyticWithKl = Array.from(g.dataSync());
    const start = Array.from(base.logp.dataSync());
    const h = 1e-3;
    for (let i = 0; i < start.length; i++) {
      if (i === 1 || i === 3) continue; // tokens sitting exactly on a clip kink are not differentiable
      const at = (delta: number) => {
        const shifted = start.slice();
        shifted[i] += delta;
        const x = tf.tensor2d(shifted, [2, 3]);
        const out = policyLoss({ ...base, refLogp, logp: x }, opts);
        const value = out.loss.dataSync()[0];
        disposePolicyLossOutput(out);
        x.dispose();
        return value;
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(numeric - analyticWithKl[i])).toBeLessThan(2e-3);
    }
  });

  it("without oldLogp the ratio is 1 and the gradient is the plain policy gradient −A/D", () => {
    const base = inputs();
    const grad = tf.grad((logp: tf.Tensor) => policyLoss({ ...base, oldLogp: undefined, logp: logp as tf.Tensor2D }, { lossType: "bnpo" }).loss)(base.logp);
    // −A·m/5: row 0 → −0.2 each; row 1 → 0.4, 0.4, 0 (padding)
    Array.from(grad.dataSync()).forEach((g, i) => expect(g).toBeCloseTo([-0.2, -0.2, -0.2, 0.4, 0.4, 0][i], 6));
  });

  it("leaves no tensors behind and ignores garbage at padding", async () => {
    const base = inputs();
    await assertNoLeak(() => {
      const out = policyLoss(base, { lossType: "dapo" });
      policyLossMetrics(out);
      disposePolicyLossOutput(out);
    }, "policyLoss");
    const withInf = inputs({ logp: tf.tensor2d(logRatios.map((row, b) => row.map((d, t) => (b === 1 && t === 2 ? -Infinity : oldRow[t] + d)))) });
    expect(lossOf({ lossType: "bnpo" }, withInf).loss).toBeCloseTo(0.38, 5);
  });

  it("names shape mistakes", () => {
    expect(() => lossOf({ lossType: "grpo" }, { advantages: tf.tensor1d([1, 2, 3]) })).toThrow(/advantages/);
    expect(() => lossOf({ lossType: "grpo" }, { mask: tf.ones([2, 2]) as tf.Tensor2D })).toThrow(/mask has shape/);
    expect(() => lossOf({ lossType: "ppo" as "grpo" })).toThrow(/loss_type "ppo"/);
  });
});

describe("wasm backend (the project default)", () => {
  it("gives the cpu backend's loss and gradient, KL included", async () => {
    const run = (): number[] =>
      tf.tidy(() => {
        const base = inputs();
        const refLogp = tf.fill([2, 3], -1.1) as tf.Tensor2D;
        const f = (logp: tf.Tensor) => policyLoss({ ...base, refLogp, logp: logp as tf.Tensor2D }, { lossType: "dapo", beta: 0.05 }).loss;
        const { value, grad } = tf.valueAndGrad(f)(base.logp);
        return [...value.dataSync(), ...grad.dataSync()];
      });
    await expectWasmMatchesCpu(run);
  });
});
