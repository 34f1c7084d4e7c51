import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "./index.js";

/** Runs `fn` on a backend and returns its result as plain numbers. */
async function on(backend: "cpu" | "wasm", fn: () => tf.Tensor): Promise<{ shape: number[]; dtype: string; values: number[] }> {
  await initBackend(backend);
  return tf.tidy(() => {
    const t = fn();
    return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
  });
}

// GatherV2 with batchDims 0 (the embedding lookup) runs the engine's row copies instead of the shipped kernel.
describe("wasm GatherV2 without batch dims matches the cpu backend", () => {
  const x3 = () => tf.tensor3d(Array.from({ length: 24 }, (_, i) => i * 0.5 - 3), [2, 3, 4]);
  const cases: { name: string; make: () => tf.Tensor }[] = [
    { name: "rows of a matrix, repeated ids", make: () => tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([2, 2, 0], "int32")) },
    { name: "2-D ids (an embedding lookup of a batch)", make: () => tf.gather(x3(), tf.tensor2d([[1, 0], [1, 1]], [2, 2], "int32")) },
    { name: "axis 1", make: () => tf.gather(x3(), tf.tensor1d([2, 0], "int32"), 1) },
    { name: "last axis", make: () => tf.gather(x3(), tf.tensor1d([3, 3, 1], "int32"), 2) },
    { name: "int32 values", make: () => tf.gather(tf.tensor2d([[7, 8], [9, 10]], [2, 2], "int32"), tf.tensor1d([1, 0, 1], "int32")) },
    { name: "no ids", make: () => tf.gather(x3(), tf.tensor1d([], "int32")) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      expect(await on("wasm", c.make)).toEqual(await on("cpu", c.make));
    });
  }

  it("an id out of range is an error naming it", async () => {
    await initBackend("wasm");
    expect(() => tf.gather(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([0, 2], "int32"))).toThrow(/index 2 is not in \[0, 1\]/);
  });
});
