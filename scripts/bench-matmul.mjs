#!/usr/bin/env node
// Micro-benchmark (not a test): GFLOP/s of tf.matMul on the wasm backend, its own kernel vs the native addon
// (src/engine/native.ts), at the shapes the OLMo-2 presets run. Needs `npm run build` (it imports dist/).
//   node scripts/bench-matmul.mjs [--preset tiny|small|base|all] [--threads 1|2] [--seconds S]
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";

const nativeModule = new URL("../dist/engine/native.js", import.meta.url);
if (!existsSync(nativeModule)) {
  console.error("bench-matmul: dist/engine/native.js is missing: run `npm run build` first");
  process.exit(1);
}
const { registerNativeKernels, unregisterNativeKernels, nativeMatMulStatus, configureNativeMatMul } = await import(
  nativeModule.href
);

const { values: options } = parseArgs({
  options: {
    preset: { type: "string", default: "all" },
    threads: { type: "string" },
    seconds: { type: "string", default: "0.4" },
  },
});

// Model sizes from issue 2; tokens per training step = batch * seq = 2048 for every preset.
const PRESETS = {
  tiny: { d: 128, heads: 4, inter: 384, vocab: 4096, seq: 256, batch: 8 },
  small: { d: 256, heads: 8, inter: 768, vocab: 8192, seq: 256, batch: 8 },
  base: { d: 512, heads: 8, inter: 1536, vocab: 16384, seq: 512, batch: 4 },
};

/** [label, a shape, b shape, transposeA, transposeB] for one preset's training step and decoding. */
function shapesOf({ d, heads, inter, vocab, seq, batch }) {
  const tokens = seq * batch;
  const hd = d / heads;
  const bh = batch * heads;
  return [
    ["qkvo proj  x W", [tokens, d], [d, d], false, false],
    ["gate/up    x W", [tokens, d], [d, inter], false, false],
    ["down       x W", [tokens, inter], [inter, d], false, false],
    ["lm_head    x W", [tokens, d], [d, vocab], false, false],
    ["gate/up    x Wᵀ", [tokens, d], [inter, d], false, true],
    ["dX  dY Wᵀ (down)", [tokens, d], [inter, d], false, true],
    ["dW  Xᵀ dY (up)", [tokens, d], [tokens, inter], true, false],
    ["dW  Xᵀ dY (lm_head)", [tokens, d], [tokens, vocab], true, false],
    ["attn q kᵀ", [bh, seq, hd], [bh, seq, hd], false, true],
    ["attn p v", [bh, seq, seq], [bh, seq, hd], false, false],
    ["attn dP = dO vᵀ", [bh, seq, hd], [bh, seq, hd], false, true],
    ["attn dV = pᵀ dO", [bh, seq, seq], [bh, seq, hd], true, false],
    ["decode b1 x W (up)", [1, d], [d, inter], false, false],
    ["decode b1 x Wᵀ (up)", [1, d], [inter, d], false, true],
    ["decode b8 x W (up)", [8, d], [d, inter], false, false],
    ["decode b1 lm_head", [1, d], [d, vocab], false, false],
    ["decode b8 lm_head", [8, d], [d, vocab], false, false],
  ];
}

/** Median seconds per call, repeating for about `seconds` after one warm-up call. */
function timeMatMul(a, b, ta, tb, seconds) {
  tf.dispose(tf.matMul(a, b, ta, tb));
  const samples = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < seconds * 1000 && samples.length < 200)) {
    const t0 = performance.now();
    const c = tf.matMul(a, b, ta, tb); // the wasm backend is synchronous: the product is done on return
    samples.push((performance.now() - t0) / 1000);
    c.dispose();
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)];
}

await tf.setBackend("wasm");
const status = nativeMatMulStatus();
if (!status.loaded) {
  console.error(`bench-matmul: ${status.reason}`);
  process.exit(1);
}
if (options.threads) configureNativeMatMul({ threads: Number(options.threads) });
const info = nativeMatMulStatus();
const seconds = Number(options.seconds);
console.log(`native: ${info.isa}, ${info.threads} thread(s); wasm: tfjs-backend-wasm (1 thread, SIMD)\n`);
console.log("| preset | product | shapes | wasm GFLOP/s | native GFLOP/s | speed-up |");
console.log("|---|---|---|---:|---:|---:|");
const names = options.preset === "all" ? Object.keys(PRESETS) : [options.preset];
for (const name of names) {
  for (const [label, sa, sb, ta, tb] of shapesOf(PRESETS[name])) {
    const a = tf.randomNormal(sa);
    const b = tf.randomNormal(sb);
    const k = ta ? sa.at(-2) : sa.at(-1);
    const out = tf.tidy(() => tf.matMul(a, b, ta, tb).size);
    const flops = 2 * out * k;
    unregisterNativeKernels();
    const wasm = flops / timeMatMul(a, b, ta, tb, seconds) / 1e9;
    registerNativeKernels();
    const native = flops / timeMatMul(a, b, ta, tb, seconds) / 1e9;
    const shapes = `[${sa}]${ta ? "ᵀ" : ""} x [${sb}]${tb ? "ᵀ" : ""}`;
    console.log(
      `| ${name} | ${label} | ${shapes} | ${wasm.toFixed(1)} | ${native.toFixed(1)} | ${(native / wasm).toFixed(1)}x |`,
    );
    tf.dispose([a, b]);
  }
}
