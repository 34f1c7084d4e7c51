import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs"; // registers the gradient functions (not in tfjs-core's Node bundle)
import { beforeAll, describe, expect, it } from "vitest";
import { clipByGlobalNorm, globalNorm, GradientAccumulator } from "./gradients.js";
import { assertNoLeak } from "./memory.js";
import { stopGradient } from "./tensors.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("clipByGlobalNorm", () => {
  it("scales by maxNorm / (norm + 1e-6) when the norm is too large", async () => {
    // a = [3, 0], b = [[4]]: norm = sqrt(9 + 16) = 5; maxNorm 1 → coef = 1 / 5.000001 = 0.19999996
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[4]]);
    await assertNoLeak(() => {
      const { grads, norm } = clipByGlobalNorm({ a, b }, 1);
      expect(norm).toBeCloseTo(5, 6);
      expect(grads.get("a")!.dataSync()[0]).toBeCloseTo(0.6, 6);
      expect(grads.get("b")!.dataSync()[0]).toBeCloseTo(0.8, 6);
      return grads;
    });
    // Below the limit nothing changes: coef = min(1, 10 / 5) = 1.
    const { grads } = clipByGlobalNorm(new Map<string, tf.Tensor>([["a", a], ["b", b]]), 10);
    expect(Array.from(grads.get("a")!.dataSync())).toEqual([3, 0]);
    tf.dispose([...grads.values(), a, b]);
  });

  it("reports the global norm of no gradients as 0", () => {
    expect(globalNorm(new Map())).toBe(0);
  });
});

describe("GradientAccumulator", () => {
  it("sums micro-batch gradients and scales once", async () => {
    const g1 = tf.tensor1d([1, 2]);
    const g2 = tf.tensor1d([3, 4]);
    const acc = new GradientAccumulator();
    await assertNoLeak(() => {
      acc.add({ w: g1 });
      acc.add({ w: g2 });
      expect(acc.microBatches).toBe(2);
      const out = acc.result(0.5); // 0.5 · ([1,2] + [3,4]) = [2, 3]
      expect(Array.from(out.get("w")!.dataSync())).toEqual([2, 3]);
      return out;
    });
    expect(acc.microBatches).toBe(0);
    tf.dispose([g1, g2]);
  });

  it("names a gradient whose shape changes between micro-batches", () => {
    const acc = new GradientAccumulator();
    const a = tf.zeros([2]);
    const b = tf.zeros([3]);
    acc.add({ "lm_head.weight": a });
    expect(() => acc.add({ "lm_head.weight": b })).toThrow(/lm_head\.weight/);
    acc.dispose();
    tf.dispose([a, b]);
  });
});

describe("stopGradient", () => {
  it("passes values through and blocks the gradient", () => {
    // f(x) = x · stop(x): forward x², gradient only through the first factor: d/dx = stop(x) = x.
    const x = tf.scalar(3);
    const g = tf.grad((v: tf.Tensor) => tf.mul(v, stopGradient(v)))(x);
    expect(g.dataSync()[0]).toBe(3);
    tf.dispose([x, g]);
  });
});
