import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs"; // registers the gradient functions (not in tfjs-core's Node bundle)
import { beforeAll, describe, expect, it } from "vitest";
import { assertNoLeak } from "../train/index.js";
import { DPO_LOSSES, dpoLoss, dpoMetrics, disposeDpoOutput, withChosenNll, type DpoLossType, type PreferenceLogps } from "./loss.js";
import { expectWasmMatchesCpu } from "../train/test-helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const t = (xs: number[]) => tf.tensor1d(xs);
const values = (x: tf.Tensor) => Array.from(x.dataSync());
const softplus = (x: number) => Math.log1p(Math.exp(x)); // −logσ(−x)

function expectClose(got: number[], want: number[], digits = 5): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
}

describe("sigmoid (DPO)", () => {
  // β = 0.1.
  // pair 0: π_w −10, π_l −12, ref_w −11, ref_l −11 → z = (−10 + 12) − (−11 + 11) = 2, βz = 0.2
  //         loss = −logσ(0.2) = log(1 + e^−0.2) = 0.5981388694
  //         rewards: chosen 0.1·(−10 + 11) = 0.1, rejected 0.1·(−12 + 11) = −0.1
  // pair 1: π_w −5, π_l −4, ref_w −5, ref_l −5 → z = −1, βz = −0.1
  //         loss = log(1 + e^0.1) = 0.7443966601; rewards: chosen 0, rejected 0.1·(−4 + 5) = 0.1
  // mean loss = (0.5981388694 + 0.7443966601) / 2 = 0.6712677647
  const logps = (): PreferenceLogps => ({
    policyChosen: t([-10, -5]),
    policyRejected: t([-12, -4]),
    referenceChosen: t([-11, -5]),
    referenceRejected: t([-11, -5]),
  });

  it("matches the hand computation, with TRL metric names", () => {
    const out = dpoLoss("sigmoid", logps(), { beta: 0.1 });
    expectClose(values(out.losses), [0.5981388694, 0.7443966601]);
    expectClose(values(out.loss), [0.6712677647]);
    expectClose(values(out.chosenRewards), [0.1, 0]);
    expectClose(values(out.rejectedRewards), [-0.1, 0.1]);
    const m = dpoMetrics(out);
    expect(m["rewards/accuracies"]).toBe(0.5); // pair 0: 0.1 > −0.1; pair 1: 0 < 0.1
    expect(m["rewards/margins"]).toBeCloseTo((0.2 + -0.1) / 2, 6);
    expect(m["rewards/chosen"]).toBeCloseTo(0.05, 6);
    expect(m["rewards/rejected"]).toBeCloseTo(0, 6);
    expect(m["logps/chosen"]).toBe(-7.5);
    expect(m["logps/rejected"]).toBe(-8);
    expect(m.loss).toBeCloseTo(0.6712677647, 5);
    disposeDpoOutput(out);
  });

  it("RPO adds α times the chosen tokens' mean NLL to every pair", () => {
    // Chosen sums −10 and −5 over 4 and 1 tokens: nll = 15 / 5 = 3; α = 0.5 adds 1.5 to each pair's loss:
    // [0.5981388694 + 1.5, 0.7443966601 + 1.5] = [2.0981388694, 2.2443966601], mean 2.1712677647.
    const base = logps();
    const plain = dpoLoss("sigmoid", base, { beta: 0.1 });
    const out = withChosenNll(plain, base.policyChosen, [4, 1], 0.5);
    expectClose(values(out.losses), [2.0981388694, 2.2443966601]);
    expectClose(values(out.loss), [2.1712677647]);
    expectClose(values(out.chosenRewards), [0.1, 0]);
    // Gradient: the sigmoid part as below, plus d(α·nll)/dπ_w,i = −α/5 (the same NLL is in every pair, so the mean keeps it whole).
    const [grad] = tf.grads((pc: tf.Tensor) =>
      withChosenNll(dpoLoss("sigmoid", { ...base, policyChosen: pc as tf.Tensor1D }, { beta: 0.1 }), pc as tf.Tensor1D, [4, 1], 0.5).loss,
    )([base.policyChosen]);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expectClose(values(grad), [2, -1].map((z) => (0.1 * -sig(-0.1 * z)) / 2 - 0.5 / 5), 6);
    disposeDpoOutput(out);
    disposeDpoOutput(plain);
    grad.dispose();
  });

  it("stays finite far from the decision boundary", () => {
    // β·z = 0.1·(−2000) = −200: −logσ(−200) = softplus(200) = 200 (a naive log(σ) would give Infinity).
    const out = dpoLoss("sigmoid", { policyChosen: t([-2000]), policyRejected: t([0]), referenceChosen: t([0]), referenceRejected: t([0]) }, { beta: 0.1 });
    expectClose(values(out.loss), [200], 3);
    disposeDpoOutput(out);
  });

  it("applies conservative label smoothing", () => {
    // pair 0 with ε = 0.1: 0.9·log(1 + e^−0.2) + 0.1·log(1 + e^0.2) = 0.9·0.5981388694 + 0.1·0.7981388694 = 0.6181388694
    const out = dpoLoss("sigmoid", logps(), { beta: 0.1, labelSmoothing: 0.1 });
    expect(values(out.losses)[0]).toBeCloseTo(0.6181388694, 5);
    disposeDpoOutput(out);
  });

  it("has the analytic gradient, confirmed by finite differences", () => {
    // d loss_i / d π_w,i = β·[−(1 − ε)·σ(−βz_i) + ε·σ(βz_i)] / B, and the opposite sign for π_l.
    const beta = 0.1;
    const eps = 0.1;
    const base = logps();
    const lossOf = (pc: tf.Tensor1D, pr: tf.Tensor1D) =>
      dpoLoss("sigmoid", { ...base, policyChosen: pc, policyRejected: pr }, { beta, labelSmoothing: eps }).loss;
    const [gradChosen, gradRejected] = tf.grads((pc: tf.Tensor, pr: tf.Tensor) => lossOf(pc as tf.Tensor1D, pr as tf.Tensor1D))([
      base.policyChosen,
      base.policyRejected,
    ]);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const analytic = [2, -1].map((z) => (beta * (-(1 - eps) * sig(-beta * z) + eps * sig(beta * z))) / 2);
    expectClose(values(gradChosen), analytic, 6);
    expectClose(values(gradRejected), analytic.map((g) => -g), 6);
    // Central finite difference on pair 0's chosen log-prob (float32: h = 1e-2 keeps rounding error small).
    const h = 1e-2;
    const at = (delta: number) => {
      const pc = t([-10 + delta, -5]);
      const value = tf.tidy(() => lossOf(pc, base.policyRejected).dataSync()[0]);
      pc.dispose();
      return value;
    };
    expect((at(h) - at(-h)) / (2 * h)).toBeCloseTo(analytic[0], 4);
    // Rewards and logged log-probs carry no gradient.
    const [rewardGrad] = tf.grads((pc: tf.Tensor) =>
      tf.sum(dpoLoss("sigmoid", { ...base, policyChosen: pc as tf.Tensor1D }, { beta }).chosenRewards),
    )([base.policyChosen]);
    expect(values(rewardGrad)).toEqual([0, 0]);
    tf.dispose([gradChosen, gradRejected, rewardGrad]);
  });
});

describe("length-normalised and reference-free variants", () => {
  // Sums over |y_w| = 3 and |y_l| = 4 tokens:
  //   π_w −6 (avg −2), π_l −8 (avg −2), ref_w −3 (avg −1), ref_l −12 (avg −3)
  const logps = (): PreferenceLogps => ({
    policyChosen: t([-6]),
    policyRejected: t([-8]),
    referenceChosen: t([-3]),
    referenceRejected: t([-12]),
    chosenTokens: [3],
    rejectedTokens: t([4]),
  });

  it("dpo_norm (= TRL sigmoid_norm) averages log-probs before the sigmoid loss", () => {
    // β = 5 (Tülu 3): z = (−2 − −2) − (−1 − −3) = −2, βz = −10 → loss = log(1 + e^10) = 10.0000453989
    // rewards: chosen 5·(−2 + 1) = −5, rejected 5·(−2 + 3) = 5.
    // (On sums, z would be (−6 + 8) − (−3 + 12) = −7: the test tells the two apart.)
    for (const type of ["dpo_norm", "sigmoid_norm"] as const) {
      const out = dpoLoss(type, logps(), { beta: 5 });
      expectClose(values(out.loss), [10.0000453989], 4);
      expectClose(values(out.chosenRewards), [-5]);
      expectClose(values(out.rejectedRewards), [5]);
      expectClose(values(out.chosenLogps), [-2]);
      disposeDpoOutput(out);
    }
  });

  it("ipo is (z − 1/(2β))² on per-token log-ratios", () => {
    // β = 0.5 → 1/(2β) = 1; z = (−2 − −1) − (−2 − −3) = −1 − 1 = −2 → (−2 − 1)² = 9
    const out = dpoLoss("ipo", logps(), { beta: 0.5 });
    expectClose(values(out.loss), [9]);
    disposeDpoOutput(out);
    expect(() => dpoLoss("ipo", logps(), { beta: 0.5, labelSmoothing: 0.1 })).toThrow(/label_smoothing/);
  });

  it("simpo needs no reference: z = avg_w − avg_l − γ/β", () => {
    // β = 2, γ = 1: π_w avg −6/3 = −2, π_l avg −12/4 = −3 → z = −2 + 3 − 0.5 = 0.5, βz = 1
    // loss = log(1 + e^−1) = 0.3132616875; rewards β·avg: chosen −4, rejected −6.
    const out = dpoLoss("simpo", { policyChosen: t([-6]), policyRejected: t([-12]), chosenTokens: [3], rejectedTokens: [4] }, { beta: 2, simpoGamma: 1 });
    expectClose(values(out.loss), [0.3132616875]);
    expectClose(values(out.chosenRewards), [-4]);
    expectClose(values(out.rejectedRewards), [-6]);
    disposeDpoOutput(out);
    // With ε = 0.2: 0.8·log(1 + e^−1) + 0.2·log(1 + e^1) = 0.3132616875 + 0.2·1 = 0.5132616875
    // (log(1 + e^1) − log(1 + e^−1) = 1).
    const smoothed = dpoLoss("simpo", { policyChosen: t([-6]), policyRejected: t([-12]), chosenTokens: [3], rejectedTokens: [4] }, { beta: 2, simpoGamma: 1, labelSmoothing: 0.2 });
    expectClose(values(smoothed.loss), [0.5132616875]);
    disposeDpoOutput(smoothed);
  });
});

describe("dispatch and hygiene", () => {
  it("names what is missing", () => {
    expect(() => dpoLoss("sigmoid", { policyChosen: t([-1]), policyRejected: t([-2]) }, { beta: 0.1 })).toThrow(/referenceChosen/);
    expect(() =>
      dpoLoss("dpo_norm", { policyChosen: t([-1]), policyRejected: t([-2]), referenceChosen: t([-1]), referenceRejected: t([-2]) }, { beta: 5 }),
    ).toThrow(/chosenTokens/);
    expect(() => dpoLoss("bogus" as DpoLossType, { policyChosen: t([-1]), policyRejected: t([-2]) }, { beta: 1 })).toThrow(/loss_type "bogus"/);
    expect(() => dpoLoss("simpo", { policyChosen: t([-1]), policyRejected: t([-2]), chosenTokens: [1], rejectedTokens: [1] }, { beta: 0 })).toThrow(/beta/);
  });

  it("every loss leaves no tensors behind once its output is disposed", async () => {
    const inputs: PreferenceLogps = {
      policyChosen: t([-6, -3]),
      policyRejected: t([-8, -9]),
      referenceChosen: t([-3, -4]),
      referenceRejected: t([-12, -7]),
      chosenTokens: [3, 2],
      rejectedTokens: [4, 5],
    };
    for (const type of Object.keys(DPO_LOSSES) as DpoLossType[]) {
      await assertNoLeak(() => {
        const out = dpoLoss(type, inputs, { beta: 0.5, labelSmoothing: type === "ipo" ? 0 : 0.1 });
        dpoMetrics(out);
        disposeDpoOutput(out);
      }, `dpo ${type}`);
    }
  });
});

describe("wasm backend (the project default)", () => {
  it("gives the cpu backend's loss and gradient", async () => {
    const run = (): number[] =>
      tf.tidy(() => {
        const rest = { policyRejected: t([-8, -9]), referenceChosen: t([-3, -4]), referenceRejected: t([-12, -7]), chosenTokens: [3, 2], rejectedTokens: [4, 5] };
        const f = (pc: tf.Tensor) => dpoLoss("dpo_norm", { ...rest, policyChosen: pc as tf.Tensor1D }, { beta: 0.5, labelSmoothing: 0.1 }).loss;
        const { value, grad } = tf.valueAndGrad(f)(t([-6, -3]));
        return [...value.dataSync(), ...grad.dataSync()];
      });
    await expectWasmMatchesCpu(run);
  });
});
