import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { KVCache } from "./kv-cache.js";

describe("KVCache", () => {
  for (const backend of ["wasm", "cpu"] as const) {
    it(`writes rows at their slots, in place and by rebuilding alike (${backend})`, async () => {
      await initBackend(backend);
      const caches = [new KVCache(1, 2, 2, 5, 3, true), new KVCache(1, 2, 2, 5, 3, false)];
      const results = caches.map((cache) => {
        const prefill = tf.tensor4d(Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => i + 1), [2, 2, 3, 3]);
        cache.write(0, prefill, tf.neg(prefill), 0);
        const step = tf.tensor4d(Array.from({ length: 2 * 2 * 1 * 3 }, (_, i) => 100 + i), [2, 2, 1, 3]);
        const { k, v } = cache.write(0, step, tf.neg(step), 3);
        return { k: k.arraySync(), v: v.arraySync() };
      });
      expect(results[0]).toEqual(results[1]);
      const k = results[0]!.k;
      expect(k[0]![0]![0]).toEqual([1, 2, 3]);
      expect(k[1]![1]![2]).toEqual([34, 35, 36]);
      expect(k[1]![1]![3]).toEqual([109, 110, 111]);
      expect(k[0]![0]![4]).toEqual([0, 0, 0]);
      expect(results[0]!.v[1]![1]![3]).toEqual([-109, -110, -111]);
      for (const c of caches) c.dispose();
      expect(() => new KVCache(1, 1, 1, 2, 2).write(0, tf.zeros([1, 1, 3, 2]), tf.zeros([1, 1, 3, 2]), 0)).toThrow(/overflow/);
    });
  }
});
