#!/usr/bin/env node
// Micro-benchmark (not a test): GFLOP/s of tf.matMul on the wasm backend, its own kernel vs the native addon
// (src/engine/native.ts), at the shapes the OLMo-2 presets run. Needs `npm run build` (it imports dist/).
//   node scripts/bench-matmul.mjs [--preset tiny|small|base|all] [--threads 1|2] [--seconds S]
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { existsSync } from "node:fs";
import os from "node:os";
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

/**
 * [label, a shape, b shape, transposeA, transposeB] for one preset's training step and decoding, as src/model calls
 * them: weights stored [out, in] (HF layout) so the forward pass is x Wᵀ, the input gradient dY W and the weight
 * gradient dYᵀ X; attention per (batch, head) on [batch, heads, seq, head_dim].
 */
function shapesOf({ d, heads, inter, vocab, seq, batch }) {
  const tokens = seq * batch;
  const hd = d / heads;
  const bhsd = [batch, heads, seq, hd];
  const bhss = [batch, heads, seq, seq];
  return [
    ["q/k/v/o   x Wᵀ", [tokens, d], [d, d], false, true],
    ["gate/up   x Wᵀ", [tokens, d], [inter, d], false, true],
    ["down      x Wᵀ", [tokens, inter], [d, inter], false, true],
    ["lm_head   x Wᵀ", [tokens, d], [vocab, d], false, true],
    ["dX gate/up  dY W", [tokens, inter], [inter, d], false, false],
    ["dX lm_head  dY W", [tokens, vocab], [vocab, d], false, false],
    ["dW q/k/v/o  dYᵀ X", [tokens, d], [tokens, d], true, false],
    ["dW gate/up  dYᵀ X", [tokens, inter], [tokens, d], true, false],
    ["dW down     dYᵀ X", [tokens, d], [tokens, inter], true, false],
    ["dW lm_head  dYᵀ X", [tokens, vocab], [tokens, d], true, false],
    ["attn  q kᵀ", bhsd, bhsd, false, true],
    ["attn  p v", bhss, bhsd, false, false],
    ["attn  dP = dO vᵀ", bhsd, bhsd, false, true],
    ["attn  dV = pᵀ dO", bhss, bhsd, true, false],
    ["attn  dK = dSᵀ q", bhss, bhsd, true, false],
    ["decode b1  x Wᵀ (up)", [1, d], [inter, d], false, true],
    ["decode b8  x Wᵀ (up)", [8, d], [inter, d], false, true],
    ["decode b1  lm_head", [1, d], [vocab, d], false, true],
    ["decode b8  lm_head", [8, d], [vocab, d], false, true],
  ];
}

/**
 * Seconds per call: median and fastest wall time, and process CPU time per call (all threads, the native helper's
 * short spin after each call included). On a shared machine wall time also counts the time other processes held
 * the cores; CPU time does not. Repeats for about `seconds` after one warm-up call; a warm-up slower than that is
 * the only sample (the wasm kernel takes tens of seconds on the large transposed products).
 */
function timeMatMul(a, b, ta, tb, seconds) {
  const once = () => {
    const t0 = performance.now();
    const c = tf.matMul(a, b, ta, tb); // the wasm backend is synchronous: the product is done on return
    const elapsed = (performance.now() - t0) / 1000;
    c.dispose();
    return elapsed;
  };
  const cpu0 = process.cpuUsage();
  const warmup = once();
  const cpu1 = process.cpuUsage(cpu0);
  if (warmup > seconds) return { median: warmup, best: warmup, cpu: (cpu1.user + cpu1.system) / 1e6 };
  const samples = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  while (samples.length < 3 || (performance.now() - start < seconds * 1000 && samples.length < 200)) {
    samples.push(once());
  }
  const cpu = process.cpuUsage(cpuStart);
  samples.sort((x, y) => x - y);
  const cpuPerCall = (cpu.user + cpu.system) / 1e6 / samples.length;
  return { median: samples[Math.floor(samples.length / 2)], best: samples[0], cpu: cpuPerCall };
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
const machine = `load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} CPUs`;
console.log(`native: ${info.isa}, ${info.threads} thread(s); wasm: tfjs-backend-wasm (1 thread, SIMD); ${machine}\n`);
console.log(
  "GFLOP/s = 2 m n k / wall time per tf.matMul call (tfjs overhead included): median (fastest) of the calls; " +
    "per CPU-s: 2 m n k / process CPU time per call, all threads together.\n",
);
console.log(
  "| preset | product | shapes | wasm GFLOP/s | native GFLOP/s | wasm per CPU-s | native per CPU-s | speed-up |",
);
console.log("|---|---|---|---:|---:|---:|---:|---:|");
const names = options.preset === "all" ? Object.keys(PRESETS) : [options.preset];
for (const name of names) {
  for (const [label, sa, sb, ta, tb] of shapesOf(PRESETS[name])) {
    const a = tf.randomNormal(sa);
    const b = tf.randomNormal(sb);
    const k = ta ? sa.at(-2) : sa.at(-1);
    const out = tf.tidy(() => tf.matMul(a, b, ta, tb).size);
    const flops = 2 * out * k;
    unregisterNativeKernels();
    const wasm = timeMatMul(a, b, ta, tb, seconds);
    registerNativeKernels();
    const native = timeMatMul(a, b, ta, tb, seconds);
    const rate = (t) => `${(flops / t.median / 1e9).toFixed(1)} (${(flops / t.best / 1e9).toFixed(1)})`;
    const perCpu = (t) => (flops / t.cpu / 1e9).toFixed(1);
    const shapes = `[${sa}]${ta ? "ᵀ" : ""} x [${sb}]${tb ? "ᵀ" : ""}`;
    console.log(
      `| ${name} | ${label} | ${shapes} | ${rate(wasm)} | ${rate(native)} | ${perCpu(wasm)} | ${perCpu(native)} | ` +
        `${(wasm.median / native.median).toFixed(1)}x |`,
    );
    tf.dispose([a, b]);
  }
}
