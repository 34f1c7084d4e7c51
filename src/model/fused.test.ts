import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { Rng } from "../rng.js";
import { applyRope, maskedSoftmax, rmsNorm, swiGlu } from "./fused.js";

function random(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);
}

/** Values and gradients (w.r.t. every input, under a random upstream weighting) of two implementations agree. */
function expectSameGradients(fused: (...xs: tf.Tensor[]) => tf.Tensor, plain: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], rng: Rng): void {
  const out = plain(...inputs);
  const weights = random(out.shape, rng);
  const loss = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights));
  const a = tf.grads(loss(fused))(inputs);
  const b = tf.grads(loss(plain))(inputs);
  const close = (x: tf.Tensor, y: tf.Tensor) => {
    const xs = x.dataSync();
    const ys = y.dataSync();
    const scale = Math.max(1e-6, ...Array.from(ys, Math.abs));
    ys.forEach((v, i) => expect(Math.abs(xs[i]! - v)).toBeLessThanOrEqual(1e-5 * scale));
  };
  close(fused(...inputs), out);
  a.forEach((g, i) => close(g, b[i]!));
}

for (const backend of ["wasm", "cpu"] as const) {
  describe(`hand-written gradients match autodiff of the plain formula (${backend})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it("rmsNorm", () => {
      const rng = new Rng(1);
      expectSameGradients(
        (x, w) => rmsNorm(x as tf.Tensor2D, w as tf.Tensor1D, 1e-6),
        (x, w) => tf.mul(tf.mul(x!, tf.rsqrt(tf.add(tf.mean(tf.square(x!), -1, true), 1e-6))), w!),
        [random([5, 8], rng, 0.3), random([8], rng)],
        rng,
      );
    });

    it("applyRope (per-row tables broadcast over heads)", () => {
      const rng = new Rng(2);
      const cos = random([2, 3, 1, 4], rng) as tf.Tensor4D;
      const sin = random([2, 3, 1, 4], rng) as tf.Tensor4D;
      const rotate = (x: tf.Tensor) => {
        const [a, b] = tf.split(x, 2, 3);
        return tf.concat([tf.neg(b!), a!], 3);
      };
      expectSameGradients((x) => applyRope(x as tf.Tensor4D, cos, sin), (x) => tf.add(tf.mul(x!, cos), tf.mul(rotate(x!), sin)), [random([2, 3, 2, 4], rng)], rng);
    });

    it("maskedSoftmax", () => {
      const rng = new Rng(3);
      const mask = tf.tensor4d([0, -1e9, 0, 0, 0, -1e9, 0, 0, 0], [1, 1, 3, 3]);
      expectSameGradients((s) => maskedSoftmax(s as tf.Tensor4D, mask), (s) => tf.softmax(tf.add(s!, mask)), [random([2, 2, 3, 3], rng)], rng);
    });

    it("swiGlu", () => {
      const rng = new Rng(4);
      expectSameGradients((g, u) => swiGlu(g as tf.Tensor2D, u as tf.Tensor2D), (g, u) => tf.mul(tf.mul(g!, tf.sigmoid(g!)), u!), [random([4, 6], rng, 2), random([4, 6], rng)], rng);
    });
  });
}
