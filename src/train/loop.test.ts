import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs"; // registers the gradient functions (not in tfjs-core's Node bundle)
import { beforeAll, describe, expect, it } from "vitest";
import { AdamW } from "./adamw.js";
import { trainLoop, type StepInfo } from "./loop.js";
import { assertNoLeak } from "./memory.js";
import { lrAt } from "./schedule.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// Toy regression y = w·x with squared error; four examples split over micro-batches of unequal size.
const xs = [1, 2, 3, -1];
const ys = [2, 4.5, 5, -2];

/** Sum of squared errors over examples [from, to) and its gradient with respect to w. */
function sumLossAndGrads(w: tf.Variable, from: number, to: number): { loss: number; grads: tf.NamedTensorMap } {
  const x = tf.tensor1d(xs.slice(from, to));
  const y = tf.tensor1d(ys.slice(from, to));
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(tf.mul(w, x), y))) as tf.Scalar, [w]);
  const loss = value.dataSync()[0];
  tf.dispose([x, y, value]);
  return { loss, grads: { w: grads[w.name] } };
}

describe("trainLoop", () => {
  it("weighted accumulation over uneven micro-batches equals one full-batch step", async () => {
    const schedule = (s: number) => lrAt(s, { lr: 0.1, totalSteps: 3, kind: "linear" });
    // Accumulated run: micro-batches of 1 and 3 examples, sum losses weighted by example count.
    const wAcc = tf.variable(tf.scalar(0.5), true, "loop_w_acc");
    const optAcc = new AdamW({ w: wAcc });
    const infos: StepInfo[] = [];
    await assertNoLeak(async () => {
      await trainLoop({
        steps: 3,
        microBatchesPerStep: 2,
        optimizer: optAcc,
        schedule,
        clip: 100,
        computeLossAndGrads: (_step, micro) => {
          const [from, to] = micro === 0 ? [0, 1] : [1, 4];
          return { ...sumLossAndGrads(wAcc, from, to), weight: to - from, tokens: to - from };
        },
        onStep: (info) => void infos.push(info),
      });
    }, "trainLoop");
    // Reference: mean loss over all four examples, one optimizer step each.
    const wRef = tf.variable(tf.scalar(0.5), true, "loop_w_ref");
    const optRef = new AdamW({ w: wRef });
    const refLosses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const { loss, grads } = sumLossAndGrads(wRef, 0, 4);
      const mean = tf.div(grads.w, 4);
      optRef.step({ w: mean }, schedule(s));
      refLosses.push(loss / 4);
      tf.dispose([grads.w, mean]);
    }
    expect(wAcc.dataSync()[0]).toBeCloseTo(wRef.dataSync()[0], 6);
    expect(infos.map((i) => i.step)).toEqual([1, 2, 3]);
    infos.forEach((info, i) => expect(info.loss).toBeCloseTo(refLosses[i], 5));
    // lr for steps 1..3 = 0.1·(3 − s)/3 for s = 0, 1, 2
    infos.forEach((info, i) => expect(info.lr).toBeCloseTo([0.1, 0.1 * (2 / 3), 0.1 * (1 / 3)][i], 15));
    expect(infos[0].tokens).toBe(4);
    tf.dispose([wAcc, wRef]);
    optAcc.dispose();
    optRef.dispose();
  });

  it("resumes from startStep, checkpoints when asked, and stops on a non-finite loss", async () => {
    const w = tf.variable(tf.scalar(1), true, "loop_w_resume");
    const opt = new AdamW({ w });
    const seen: number[] = [];
    const checkpoints: number[] = [];
    await trainLoop({
      steps: 4,
      startStep: 2,
      microBatchesPerStep: 1,
      optimizer: opt,
      schedule: () => 0.01,
      computeLossAndGrads: (step) => {
        seen.push(step);
        return sumLossAndGrads(w, 0, 4);
      },
      shouldCheckpoint: (step) => step % 2 === 0,
      checkpoint: (step) => void checkpoints.push(step),
    });
    expect(seen).toEqual([3, 4]);
    expect(checkpoints).toEqual([4]);
    expect(opt.stepCount).toBe(2);
    const before = w.dataSync()[0];
    await expect(
      trainLoop({
        steps: 1,
        microBatchesPerStep: 1,
        optimizer: opt,
        schedule: () => 0.01,
        computeLossAndGrads: () => ({ loss: NaN, grads: { w: tf.scalar(NaN) } }),
      }),
    ).rejects.toThrow(/step 1: loss NaN/);
    expect(w.dataSync()[0]).toBe(before); // no NaN update was applied
    opt.dispose();
    w.dispose();
  });
});
