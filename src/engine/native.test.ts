/**
 * The native BatchMatMul / _FusedMatMul / Exp / Max / Sum must give what the wasm backend's own kernels give:
 * forward and gradients, across shapes (edge tiles, K beyond one cache block, single rows), transposes, batch
 * broadcasting, both thread counts and every instruction-set variant this CPU can run.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
// Gradient functions ship with the union package, not with tfjs-core's Node bundle (as in src/engine/index.ts).
import "@tensorflow/tfjs";
import {
  configureNativeMatMul,
  nativeMatMulStatus,
  nativeThreadsForLoad,
  registerNativeKernels,
  unregisterNativeKernels,
  type NativeIsa,
} from "./native.js";

const status = nativeMatMulStatus();
const skipReason = status.loaded ? "" : ` (SKIPPED: ${status.reason}; run \`node scripts/build-native.mjs\`)`;

type Case = { a: number[]; b: number[]; transposeA?: boolean; transposeB?: boolean };

/** Shapes as [rows, cols] of op(a) and op(b); stored shapes are derived per transpose combination. */
function stored(shape: number[], transpose: boolean): number[] {
  if (!transpose) return shape;
  const s = [...shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

function allTransposes(a: number[], b: number[]): Case[] {
  return [false, true].flatMap((ta) =>
    [false, true].map((tb) => ({ a: stored(a, ta), b: stored(b, tb), transposeA: ta, transposeB: tb })),
  );
}

const SMALL_CASES: Case[] = [
  ...allTransposes([37, 19], [19, 53]), // partial tiles on both edges
  ...allTransposes([13, 300], [300, 45]), // K spans two cache blocks
  ...allTransposes([1, 64], [64, 100]), // one row: B read in place, last column panel narrower
  { a: [3, 40], b: [40, 70] }, // few rows: 64-column tiles reading B in place, the last one masked
  { a: [2, 4, 33], b: [2, 33, 130] },
  { a: [2, 300], b: [300, 64] },
  { a: [4, 37], b: [6, 37], transposeB: true }, // few rows times Bᵀ: dot products, masked k tail, 2 spare columns
  { a: [2, 3, 64], b: [2, 9, 64], transposeB: true },
  { a: [8, 37], b: [70, 37], transposeB: true }, // skinny rows times Bᵀ (batch-8 decoding): two row blocks per column block
  { a: [13, 300], b: [9, 300], transposeB: true }, // 13 rows: a partial row block, k tail past 16
  { a: [16, 40], b: [2, 40], transposeB: true }, // the most rows read in place
  { a: [17, 40], b: [6, 40], transposeB: true }, // one more: the blocked path again
  { a: [12, 20], b: [20, 64] },
  ...allTransposes([50, 300], [300, 32]), // one column panel: A read in place, K over two blocks
  { a: [4, 17, 9], b: [4, 9, 23] },
  { a: [4, 17, 9], b: [9, 23] }, // rank-2 B broadcast over A's batch
  { a: [17, 9], b: [3, 9, 23], transposeB: false },
  { a: [1, 17, 9], b: [3, 23, 9], transposeB: true },
  { a: [2, 3, 5, 7], b: [7, 4] },
  { a: [0, 5], b: [5, 3] }, // empty output
];

// Big enough to run on two threads: split by batch, by rows (odd batch) or by columns (few rows).
const THREADED_CASES: Case[] = [
  ...allTransposes([200, 96], [96, 150]),
  { a: [6, 64, 48], b: [6, 48, 64] },
  { a: [8, 64, 256], b: [8, 256, 32] }, // attention's probabilities x values shape
  { a: [8, 256, 64], b: [8, 256, 32], transposeA: true }, // and its gradient for the values
  { a: [3, 100, 40], b: [40, 90] },
  { a: [3, 100, 40], b: [3, 90, 40], transposeB: true },
  ...allTransposes([20, 300], [300, 200]),
  { a: [8, 512], b: [1536, 512], transposeB: true }, // decoding at batch 8: split by columns, B read in place
  { a: [1, 384], b: [4093, 384], transposeB: true }, // one row, columns not a multiple of the tile
];

/**
 * Products big enough to split into several parts per thread (gemm.cc SplitWork), in the layouts of a training
 * step's linear layers: the weight gradient Xᵀ·dY (A transposed, K over several cache blocks, partial row panels),
 * the input gradient dY·W, the forward x·Wᵀ; cut along rows (m largest) or along columns (n largest).
 */
const MANY_PART_CASES: Case[] = [
  { a: [300, 1600], b: [300, 40], transposeA: true }, // weight gradient of a wide output (lm_head): row parts
  { a: [700, 130], b: [700, 1700], transposeA: true }, // weight gradient, column parts, K over three blocks
  { a: [40, 300], b: [300, 2100] }, // input gradient: column parts, the last narrower than a tile
  { a: [1700, 60], b: [150, 60], transposeB: true }, // forward: row parts
];

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor, label: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  const got = actual.dataSync();
  const want = expected.dataSync();
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  expect(worst, `${label}: max |native - wasm| ${worst} (largest |value| ${scale})`).toBeLessThanOrEqual(2e-5 * scale);
}

/** Runs fn with the wasm backend's own kernels, then with the native ones; returns both results. */
function bothWays<T extends tf.Tensor | tf.Tensor[]>(fn: () => T): { wasm: T; native: T; nativeCalls: number } {
  unregisterNativeKernels();
  const wasm = fn();
  expect(registerNativeKernels()).toBe(true);
  const before = nativeMatMulStatus();
  const native = fn();
  const after = nativeMatMulStatus();
  const calls = (after.loaded ? after.calls : 0) - (before.loaded ? before.calls : 0);
  return { wasm, native, nativeCalls: calls };
}

function describeCase(c: Case): string {
  return `[${c.a}]${c.transposeA ? "ᵀ" : ""} x [${c.b}]${c.transposeB ? "ᵀ" : ""}`;
}

const FUSED_ACTIVATIONS = ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu"] as const;
const LEAKY_ALPHA = 0.3;

function activate(x: number, activation: (typeof FUSED_ACTIVATIONS)[number]): number {
  switch (activation) {
    case "linear": return x;
    case "relu": return Math.max(x, 0);
    case "relu6": return Math.min(Math.max(x, 0), 6);
    case "leakyrelu": return x < 0 ? LEAKY_ALPHA * x : x;
    case "sigmoid": return 1 / (1 + Math.exp(-x));
    case "elu": return x < 0 ? Math.expm1(x) : x;
  }
}

/** act(op(a) op(b) + bias) for rank-3 a and b with equal batch, in plain JavaScript (float64 accumulation). */
function referenceFused(
  a: tf.Tensor, b: tf.Tensor, c: Case, bias: tf.Tensor | undefined, activation: (typeof FUSED_ACTIVATIONS)[number],
): tf.Tensor {
  const [batch, a1, a2] = a.shape;
  const [, b1, b2] = b.shape;
  const [m, k] = c.transposeA ? [a2, a1] : [a1, a2];
  const n = c.transposeB ? b1 : b2;
  const ad = a.dataSync();
  const bd = b.dataSync();
  const biasData = bias?.dataSync();
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = ad[t * m * k + (c.transposeA ? p * m + i : i * k + p)];
          const bv = bd[t * k * n + (c.transposeB ? j * k + p : p * n + j)];
          sum += av * bv;
        }
        if (biasData) sum += biasData[biasData.length === 1 ? 0 : j];
        out[(t * m + i) * n + j] = activate(sum, activation);
      }
    }
  }
  return tf.tensor3d(out, [batch, m, n]);
}

function checkForward(c: Case, seed: number): void {
  const a = randomTensor(c.a, seed);
  const b = randomTensor(c.b, seed + 1);
  const { wasm, native, nativeCalls } = bothWays(() => tf.matMul(a, b, c.transposeA, c.transposeB));
  expect(nativeCalls, `${describeCase(c)} ran natively`).toBe(native.size === 0 ? 0 : 1);
  expectClose(native, wasm, describeCase(c));
  tf.dispose([a, b, wasm, native]);
}

describe.skipIf(!status.loaded)(`native matmul kernels${skipReason}`, () => {
  const isas: NativeIsa[] = status.loaded ? status.supportedIsas : [];
  const initial = status.loaded ? { isa: status.isa, threads: status.threads } : { isa: "scalar" as const, threads: 1 };

  beforeAll(async () => {
    await tf.setBackend("wasm");
    expect(registerNativeKernels()).toBe(true);
  });
  afterAll(() => {
    configureNativeMatMul(initial);
    unregisterNativeKernels();
  });

  test("an output larger than the wasm heap grows it, and the product lands in the new buffer", () => {
    const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
    const heapBefore = backend.wasm.HEAPU8.buffer;
    const n = Math.ceil(heapBefore.byteLength / 4 / 256) + 16;
    checkForward({ a: [256, 3], b: [3, n] }, 7);
    expect(backend.wasm.HEAPU8.buffer).not.toBe(heapBefore);
  });

  for (const isa of isas) {
    test(`${isa}: forward equals the wasm kernel, one and two threads`, () => {
      for (const threads of [1, 2]) {
        configureNativeMatMul({ isa, threads });
        SMALL_CASES.forEach((c, i) => checkForward(c, 100 + i));
        THREADED_CASES.forEach((c, i) => checkForward(c, 200 + i));
        MANY_PART_CASES.forEach((c, i) => checkForward(c, 250 + i));
      }
      configureNativeMatMul(initial);
    });

    test(`${isa}: one and two threads give bit-identical products, however the work is split`, () => {
      [...THREADED_CASES, ...MANY_PART_CASES].forEach((c, i) => {
        const a = randomTensor(c.a, 270 + i);
        const b = randomTensor(c.b, 280 + i);
        const product = (threads: number) => {
          configureNativeMatMul({ isa, threads });
          return tf.matMul(a, b, c.transposeA, c.transposeB);
        };
        const [one, two] = [product(1), product(2)];
        const [x, y] = [one.dataSync(), two.dataSync()];
        const differing = x.findIndex((v, j) => !Object.is(v, y[j]));
        expect(differing, `${describeCase(c)}: first element that differs`).toBe(-1);
        tf.dispose([a, b, one, two]);
      });
      configureNativeMatMul(initial);
    });
  }

  test("K = 0 gives zeros (the wasm kernel leaves the output uninitialised)", () => {
    const a = tf.zeros([3, 0]);
    const b = tf.zeros([0, 4]);
    const out = tf.matMul(a, b);
    expect(Array.from(out.dataSync())).toEqual(new Array(12).fill(0));
    tf.dispose([a, b, out]);
  });

  test("_FusedMatMul with bias and each fusable activation equals a direct computation and the wasm kernel", () => {
    const cases: Case[] = [...allTransposes([2, 33, 19], [2, 19, 40]), ...allTransposes([1, 150, 64], [1, 64, 130])];
    cases.forEach((c, i) => {
      const a = randomTensor(c.a, 300 + i);
      const b = randomTensor(c.b, 400 + i);
      const n = c.b[c.b.length - (c.transposeB ? 2 : 1)];
      for (const bias of [undefined, randomTensor([n], 500 + i), randomTensor([1], 600 + i)]) {
        for (const activation of FUSED_ACTIVATIONS) {
          // A fresh B each time: the wasm kernel caches its XNNPACK operator by B's id, activation not included.
          const run = () =>
            tf.tidy(() =>
              tf.fused.matMul({
                a, b: randomTensor(c.b, 400 + i), transposeA: c.transposeA, transposeB: c.transposeB, bias, activation,
                leakyreluAlpha: LEAKY_ALPHA,
              }),
            );
          const { wasm, native, nativeCalls } = bothWays(run);
          const label = `${describeCase(c)} bias [${bias?.shape ?? "none"}] ${activation}`;
          expect(nativeCalls, `${label} ran natively`).toBe(1);
          const expected = referenceFused(a, b, c, bias, activation);
          expectClose(native, expected, label);
          // tfjs-backend-wasm 4.22's own _FusedMatMul is wrong with a transposed operand, a scalar bias, a bias over
          // several batches, or relu/relu6 after a transposed A or B (checked against the direct computation, which
          // the native kernel matches everywhere): compare with it only where it is right.
          const wasmIsRight =
            !c.transposeA && !c.transposeB && (bias === undefined || (c.a[0] === 1 && bias.size === n));
          if (wasmIsRight) expectClose(native, wasm, `${label} (wasm)`);
          tf.dispose([wasm, native, expected]);
        }
        bias?.dispose();
      }
      tf.dispose([a, b]);
    });
  });

  test("prelu falls back to the wasm kernel and still matches", () => {
    const a = randomTensor([9, 5], 1);
    const b = randomTensor([5, 6], 2);
    const alpha = randomTensor([6], 3);
    const { wasm, native, nativeCalls } = bothWays(() =>
      tf.fused.matMul({ a, b, activation: "prelu", preluActivationWeights: alpha }),
    );
    expect(nativeCalls).toBe(0);
    expectClose(native, wasm, "prelu");
    tf.dispose([a, b, alpha, wasm, native]);
  });

  test("gradients through matMul and fused matMul equal the wasm kernels' (they are transposed BatchMatMuls)", () => {
    const grads: Case[] = [
      ...allTransposes([40, 70], [70, 30]),
      { a: [3, 20, 16], b: [3, 16, 24] },
      { a: [3, 20, 16], b: [3, 24, 16], transposeB: true },
      // (tfjs-core 4.22's BatchMatMul gradient does not sum over broadcast batch dimensions, so none here)
    ];
    grads.forEach((c, i) => {
      const a = randomTensor(c.a, 700 + i);
      const b = randomTensor(c.b, 800 + i);
      const outShape = tf.tidy(() => tf.matMul(a, b, c.transposeA, c.transposeB).shape);
      const weight = randomTensor(outShape, 900 + i);
      const bias = randomTensor([outShape[outShape.length - 1]], 950 + i);
      const { transposeA, transposeB } = c;
      const plain = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), weight)),
      );
      const fused = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.mul(tf.fused.matMul({ a: x, b: y, transposeA, transposeB, bias: z, activation: "relu" }), weight)),
      );
      const first = bothWays(() => plain([a, b]));
      expect(first.nativeCalls, `${describeCase(c)} gradient ran natively`).toBeGreaterThanOrEqual(3);
      first.native.forEach((g, j) => expectClose(g, first.wasm[j], `d${j === 0 ? "a" : "b"} of ${describeCase(c)}`));
      const second = bothWays(() => fused([a, b, bias]));
      second.native.forEach((g, j) => expectClose(g, second.wasm[j], `fused d${"abz"[j]} of ${describeCase(c)}`));
      tf.dispose([a, b, weight, bias, ...first.wasm, ...first.native, ...second.wasm, ...second.native]);
    });
  });

  test("Exp equals the wasm kernel, special values included, on every variant and both thread counts", () => {
    const specials = [0, -0, 1, -1, 88, 88.7, 89, 100, -87, -100, -103, -104, -200, Infinity, -Infinity, NaN, 1e-8];
    for (const isa of isas) {
      for (const threads of [1, 2]) {
        configureNativeMatMul({ isa, threads });
        for (const size of [0, 1, 15, 17, 1000, 200_003]) {
          const valueAt = (i: number) => (i < specials.length ? specials[i] : ((i * 7919) % 2001) / 40 - 25);
          const values = Float32Array.from({ length: size }, (_, i) => valueAt(i));
          const x = tf.tensor1d(values);
          const { wasm, native, nativeCalls } = bothWays(() => tf.exp(x));
          expect(nativeCalls, `exp of ${size} ran natively`).toBe(size === 0 ? 0 : 1);
          const got = native.dataSync();
          const want = wasm.dataSync();
          for (let i = 0; i < size; i++) {
            const close = Object.is(got[i], want[i]) || Math.abs(got[i] - want[i]) <= 4e-7 * Math.abs(want[i]) + 1e-44;
            if (!close) expect(got[i], `${isa}/${threads}: exp(${values[i]}) of ${size}`).toBe(want[i]);
          }
          tf.dispose([x, wasm, native]);
        }
      }
    }
    configureNativeMatMul(initial);
  });

  test("Sum over trailing or leading axes equals the wasm kernel; middle axes and int32 fall back", () => {
    const cases: { shape: number[]; axis: number | number[]; keepDims: boolean; native: boolean }[] = [
      { shape: [3, 5], axis: -1, keepDims: false, native: true },
      { shape: [2, 3, 70], axis: [2, 1], keepDims: true, native: true },
      { shape: [100_000], axis: 0, keepDims: false, native: true },
      { shape: [2000, 301], axis: 1, keepDims: true, native: true }, // split over both threads
      { shape: [4, 0], axis: 1, keepDims: false, native: true }, // empty rows sum to 0
      { shape: [2048, 130], axis: 0, keepDims: false, native: true }, // leading axes: column sums, threaded
      { shape: [3, 4, 37], axis: [1, 0], keepDims: true, native: true },
      { shape: [0, 5], axis: 0, keepDims: false, native: true }, // zero rows: zeros
      { shape: [3, 4, 5], axis: 1, keepDims: false, native: false },
      { shape: [3, 4, 5], axis: [0, 2], keepDims: false, native: false },
    ];
    for (const isa of isas) {
      configureNativeMatMul({ isa });
      cases.forEach((c, i) => {
        const x = randomTensor(c.shape, 1000 + i);
        const { wasm, native, nativeCalls } = bothWays(() => tf.sum(x, c.axis, c.keepDims));
        const label = `${isa}: sum of [${c.shape}] over ${c.axis} keepDims ${c.keepDims}`;
        expect(nativeCalls, label).toBe(c.native ? 1 : 0);
        expectClose(native, wasm, label);
        tf.dispose([x, wasm, native]);
      });
    }
    configureNativeMatMul(initial);
    const ints = tf.tensor2d([1, 2, 3, 4], [2, 2], "int32");
    const { wasm, native, nativeCalls } = bothWays(() => tf.sum(ints, -1));
    expect(nativeCalls).toBe(0);
    expect(Array.from(native.dataSync())).toEqual(Array.from(wasm.dataSync()));
    tf.dispose([ints, wasm, native]);
  });

  test("Max over trailing axes equals the wasm kernel, NaN and -Infinity included; other axes fall back", () => {
    const rows = [[NaN, 1, 2], [1, NaN, 2], [1, 2, NaN], [-Infinity, -Infinity, -Infinity], [-3, -1, -2]];
    const special = tf.tensor2d(rows.flatMap((r) => r), [rows.length, 3]);
    const cases: [tf.Tensor, number | number[], boolean, boolean][] = [
      [special, -1, false, true],
      [randomTensor([2040, 333], 1), 1, true, true], // split over both threads; 333 = 10 vectors + a masked tail
      [randomTensor([3, 4, 50], 2), [1, 2], false, true],
      [randomTensor([30, 40], 3), 0, false, false],
    ];
    for (const isa of isas) {
      configureNativeMatMul({ isa });
      cases.forEach(([x, axis, keepDims, isNative], i) => {
        const { wasm, native, nativeCalls } = bothWays(() => tf.max(x, axis, keepDims));
        expect(nativeCalls, `${isa} case ${i} native`).toBe(isNative ? 1 : 0);
        expect(native.shape).toEqual(wasm.shape);
        expect(Array.from(native.dataSync()), `${isa} case ${i}`).toEqual(Array.from(wasm.dataSync()));
        tf.dispose([wasm, native]);
      });
    }
    configureNativeMatMul(initial);
    tf.dispose(cases.map(([x]) => x));
  });

  test("the log-sum-exp gradient through native Exp, Max and Sum equals the wasm kernels'", () => {
    const x = tf.mul(randomTensor([64, 500], 77), tf.scalar(5));
    const lse = tf.grad((t: tf.Tensor) => {
      const max = tf.max(t, -1, true);
      return tf.sum(tf.add(tf.log(tf.sum(tf.exp(tf.sub(t, max)), -1)), tf.reshape(max, [-1])));
    });
    const { wasm, native, nativeCalls } = bothWays(() => lse(x));
    expect(nativeCalls).toBeGreaterThanOrEqual(4);
    expectClose(native, wasm, "d logsumexp / dx");
    tf.dispose([x, wasm, native]);
  });

  test("registering twice is harmless and unregistering restores the wasm kernels", () => {
    expect(registerNativeKernels()).toBe(true);
    const nativeFunc = tf.getKernel("BatchMatMul", "wasm")?.kernelFunc;
    expect(registerNativeKernels()).toBe(true);
    expect(tf.getKernel("BatchMatMul", "wasm")?.kernelFunc).toBe(nativeFunc);
    unregisterNativeKernels();
    expect(tf.getKernel("BatchMatMul", "wasm")?.kernelFunc).not.toBe(nativeFunc);
    expect(registerNativeKernels()).toBe(true);
  });
});

test("auto threads: two unless the load average is at least one above the CPU count", () => {
  expect(nativeThreadsForLoad(0.2, 2)).toBe(2);
  expect(nativeThreadsForLoad(2.99, 2)).toBe(2);
  expect(nativeThreadsForLoad(3, 2)).toBe(1);
  expect(nativeThreadsForLoad(6.5, 2)).toBe(1);
  expect(nativeThreadsForLoad(8, 8)).toBe(2);
  expect(nativeThreadsForLoad(0, 1)).toBe(1);
});

describe.skipIf(status.loaded)("without the addon", () => {
  test("registerNativeKernels reports false and leaves the wasm kernels in place", () => {
    const before = tf.getKernel("BatchMatMul", "wasm");
    expect(registerNativeKernels()).toBe(false);
    expect(tf.getKernel("BatchMatMul", "wasm")).toBe(before);
  });
});
