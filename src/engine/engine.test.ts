import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { BACKEND_NAMES, describeBackend, initBackend, initBackendInfo } from "./index.js";

/** Runs `fn` on a backend and returns its result as plain numbers. */
async function on(backend: "cpu" | "wasm", fn: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  await initBackend(backend);
  return tf.tidy(() => {
    const t = fn();
    return { shape: t.shape, values: Array.from(t.dataSync()) };
  });
}

describe("initBackend", () => {
  it("auto picks wasm here (no native bindings installed) and names it", async () => {
    const info = await initBackendInfo("auto");
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(describeBackend(info)).toMatch(/^backend: wasm \(embedded/);
    expect(BACKEND_NAMES).toContain("cpu");
  });

  it("switches to cpu and back; an explicit tensorflow request without the package fails clearly", async () => {
    expect(await initBackend("cpu")).toBe("cpu");
    expect(await initBackend("wasm")).toBe("wasm");
    await expect(initBackend("tensorflow")).rejects.toThrow(/@tensorflow\/tfjs-node/);
  });
});

describe("wasm Identity shares its input's buffer", () => {
  it("tf.clone gives the same values, survives disposal of its source, and allocates no new buffer", async () => {
    await initBackend("wasm");
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const before = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    const s = tf.clone(tf.tensor1d(["a", "b"], "string"));
    expect(s.dataSync()).toEqual(["a", "b"]);
  });
});

describe("wasm kernels added or corrected by the engine", () => {
  const cases: { name: string; make: () => tf.Tensor }[] = [
    { name: "rows with repeated ids", make: () => tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([2, 0, 2, 1], "int32"), 4) },
    { name: "1-D values", make: () => tf.unsortedSegmentSum(tf.tensor1d([1.5, -2, 4]), tf.tensor1d([1, 1, 0], "int32"), 3) },
    { name: "int32 values, 3-D rows", make: () => tf.unsortedSegmentSum(tf.tensor3d([[[1, 2]], [[3, 4]]], undefined, "int32"), tf.tensor1d([0, 0], "int32"), 2) },
    {
      name: "embedding gradient through tf.gather",
      make: () => tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, tf.tensor1d([3, 1, 3, 0], "int32")), tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]))))(tf.zeros([5, 2])),
    },
    { name: "OneHot float32", make: () => tf.oneHot(tf.tensor1d([2, 0, 5, -1], "int32"), 3, 1, 0, "float32") },
    { name: "OneHot int32 with on/off values", make: () => tf.oneHot(tf.tensor2d([[1], [2]], undefined, "int32"), 4, 5, -1) },
    { name: "GatherV2 batchDims 1, 1-D indices", make: () => tf.gather(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor1d([2, 0], "int32"), 1, 1) },
    { name: "GatherV2 batchDims 1, inner dims", make: () => tf.gather(tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), tf.tensor2d([[1, 1, 0], [0, 1, 1]], undefined, "int32"), 1, 1) },
    { name: "GatherV2 batchDims 1, axis 2", make: () => tf.gather(tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), tf.tensor2d([[1], [0]], undefined, "int32"), 2, 1) },
    { name: "GatherV2 batchDims 0 (the project's replacement kernel, as for every batchDims)", make: () => tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([2, 2, 0], "int32")) },
  ];
  for (const c of cases) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const expected = await on("cpu", c.make);
      const actual = await on("wasm", c.make);
      expect(actual).toEqual(expected);
    });
  }
});
