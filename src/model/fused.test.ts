import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fusedKernelCalls, initBackend, registerFusedKernels, setFusedKernelsEnabled } from "../engine/index.js";
import { configureNativeMatMul, nativeMatMulStatus } from "../engine/native.js";
import { Rng } from "../rng.js";
import { applyRope, maskedSoftmax, mergeHeads, rmsNorm, swiGlu, toHeads } from "./fused.js";
import { causalMask, groupedAttention } from "./layers.js";
import { tokenLogprobs } from "./logprobs.js";

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
    expect(xs.length).toBe(ys.length);
    let scale = 1e-6;
    let worst = 0;
    ys.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      worst = Math.max(worst, Math.abs(xs[i]! - v));
    });
    expect(worst).toBeLessThanOrEqual(1e-5 * scale);
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

/** f with the fused native kernels turned off: the plain tfjs formulas (the backward follows the forward's choice). */
function plain<T>(f: (...xs: tf.Tensor[]) => T): (...xs: tf.Tensor[]) => T {
  return (...xs) => {
    setFusedKernelsEnabled(false);
    try {
      return f(...xs);
    } finally {
      setFusedKernelsEnabled(true);
    }
  };
}

const status = nativeMatMulStatus();
const fusedBuilt = registerFusedKernels();

describe.skipIf(!fusedBuilt)(`fused native kernels equal the plain tfjs formulas, forward and gradient (wasm)${fusedBuilt ? "" : " (SKIPPED: addon not built)"}`, () => {
  const isas = status.loaded ? status.supportedIsas : [];
  let callsBefore = 0;
  beforeAll(async () => {
    await initBackend("wasm");
    callsBefore = fusedKernelCalls();
  });
  afterAll(() => {
    if (status.loaded) configureNativeMatMul({ isa: status.isa });
    // Every case below must have gone through the native kernels, not the fallback.
    expect(fusedKernelCalls()).toBeGreaterThan(callsBefore);
  });

  // Small shapes hit the vector tails; the large ones are split over both threads.
  for (const isa of isas) {
    describe(isa, () => {
      beforeAll(() => {
        configureNativeMatMul({ isa });
      });

      it("rmsNorm", () => {
        const rng = new Rng(11);
        for (const [n, d] of [[5, 8], [300, 70], [3, 130]] as const) {
          const f = (x: tf.Tensor, w: tf.Tensor) => rmsNorm(x as tf.Tensor2D, w as tf.Tensor1D, 1e-6);
          expectSameGradients(f, plain(f), [random([n, d], rng, 0.3), random([d], rng)], rng);
        }
      });

      it("toHeads (RoPE with per-row, shared or no tables; scaled) and mergeHeads", () => {
        const rng = new Rng(12);
        const [b, t, heads, hd] = [2, 5, 3, 6];
        for (const rows of [b, 1, 0]) {
          const rope = rows ? { cos: random([rows, t, 1, hd], rng) as tf.Tensor4D, sin: random([rows, t, 1, hd], rng) as tf.Tensor4D } : null;
          const f = (x: tf.Tensor) => toHeads(x as tf.Tensor2D, b, heads, rope, 0.4);
          expectSameGradients(f, plain(f), [random([b * t, heads * hd], rng)], rng);
        }
        const merge = (x: tf.Tensor) => mergeHeads(x as tf.Tensor4D);
        expectSameGradients(merge, plain(merge), [random([b, heads, t, hd], rng)], rng);
        const big = { cos: random([1, 64, 1, 32], rng) as tf.Tensor4D, sin: random([1, 64, 1, 32], rng) as tf.Tensor4D };
        const f = (x: tf.Tensor) => toHeads(x as tf.Tensor2D, 4, 4, big);
        expectSameGradients(f, plain(f), [random([4 * 64, 4 * 32], rng)], rng);
      });

      it("maskedSoftmax (shared and per-row causal masks)", () => {
        const rng = new Rng(13);
        const causal = (rows: number, t: number) =>
          tf.tensor4d(Array.from({ length: rows * t * t }, (_, i) => ((i % t) <= Math.floor(i / t) % t && (i * 7) % 5 !== 1 ? 0 : -1e9)), [rows, 1, t, t]);
        for (const [b, h, t, rows] of [[2, 2, 3, 1], [2, 3, 5, 2], [2, 4, 64, 2]] as const) {
          const mask = causal(rows, t);
          const f = (s: tf.Tensor) => maskedSoftmax(s as tf.Tensor4D, mask);
          expectSameGradients(f, plain(f), [random([b, h, t, t], rng, 3)], rng);
        }
      });

      it("self-attention (GQA; causal, padded left and right, and non-causal masks)", () => {
        const rng = new Rng(17);
        const attend = (mask: tf.Tensor4D) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
          groupedAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, mask);
        const valid = (t: number, pattern: (j: number) => boolean) => Array.from({ length: t }, (_, j) => (pattern(j) ? 1 : 0));
        const t = 19;
        const masks = [
          causalMask(t, t, 0),
          causalMask(t, t, 0, [valid(t, () => true), valid(t, (j) => j < 15), valid(t, (j) => j >= 3)]),
          tf.tensor4d(Array.from({ length: t * t }, (_, i) => ((i * 7) % 3 === 0 ? -1e9 : 0)), [1, 1, t, t]),
        ];
        for (const mask of masks) {
          const f = attend(mask as tf.Tensor4D);
          expectSameGradients(f, plain(f), [random([3, 4, t, 10], rng), random([3, 2, t, 10], rng), random([3, 2, t, 10], rng)], rng);
        }
        const f = attend(causalMask(64, 64, 0));
        expectSameGradients(f, plain(f), [random([2, 4, 64, 32], rng), random([2, 4, 64, 32], rng), random([2, 4, 64, 32], rng)], rng);
      });

      it("swiGlu", () => {
        const rng = new Rng(14);
        for (const [n, d] of [[4, 6], [300, 200]] as const) {
          const f = (g: tf.Tensor, u: tf.Tensor) => swiGlu(g as tf.Tensor2D, u as tf.Tensor2D);
          expectSameGradients(f, plain(f), [random([n, d], rng, 3), random([n, d], rng)], rng);
        }
      });

      it("tokenLogprobs, with and without a gradient tape", () => {
        const rng = new Rng(15);
        for (const [b, t, v] of [[2, 3, 37], [4, 40, 1000]] as const) {
          const targets = tf.tensor2d(Array.from({ length: b * t }, () => rng.int(0, v - 1)), [b, t], "int32");
          const f = (x: tf.Tensor) => tokenLogprobs(x as tf.Tensor3D, targets);
          const logits = random([b, t, v], rng, 4);
          expectSameGradients(f, plain(f), [logits], rng);
          expect(Array.from(f(logits).dataSync())).toEqual(Array.from(f(logits).dataSync()));
          const noTape = Array.from(f(logits).dataSync());
          Array.from(plain(f)(logits).dataSync()).forEach((x, i) => expect(noTape[i]).toBeCloseTo(x, 5));
        }
      });
    });
  }

  it("a target outside the vocabulary is an error, not a read out of bounds", () => {
    const logits = tf.zeros([1, 2, 5]) as tf.Tensor3D;
    expect(() => tokenLogprobs(logits, tf.tensor2d([[1, 5]], [1, 2], "int32"))).toThrow(/target 5 at row 1 is not in \[0, 5\)/);
  });

  it("a forward and backward through every fused block leaves no tensor behind", () => {
    const rng = new Rng(16);
    const x = random([2 * 4, 2 * 4], rng);
    const w = random([8], rng);
    const rope = { cos: random([1, 4, 1, 4], rng) as tf.Tensor4D, sin: random([1, 4, 1, 4], rng) as tf.Tensor4D };
    const mask = tf.zeros([1, 1, 4, 4]) as tf.Tensor4D;
    const targets = tf.tensor2d([[1, 2, 3, 0], [7, 6, 5, 4]], [2, 4], "int32");
    const loss = (xs: tf.Tensor, ws: tf.Tensor) => {
      const h = swiGlu(rmsNorm(xs as tf.Tensor2D, ws as tf.Tensor1D, 1e-6), xs as tf.Tensor2D);
      const q = toHeads(h, 2, 2, rope, 0.5);
      const attended = mergeHeads(tf.matMul(maskedSoftmax(tf.matMul(q, q, false, true), mask), q));
      return tf.sum(tokenLogprobs(tf.reshape(attended, [2, 4, 8]) as tf.Tensor3D, targets));
    };
    const grads = tf.grads(loss)([x, w]);
    tf.dispose(grads);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) tf.dispose(tf.grads(loss)([x, w]));
    expect(tf.memory().numTensors).toBe(before);
  });
});
