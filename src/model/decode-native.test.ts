/**
 * The native cached step (decode-native.ts, native/decode.cc) must give what the tfjs layers give: the same logits
 * within float tolerance and the same cache contents, for a left-padded prefill and the single-token steps after
 * it, and the same greedy tokens end to end; and the native row log-sum-exp generation reads. The tfjs side runs
 * with the native kernels unregistered, which also switches the native step off.
 */
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configureNativeDecode, initBackend, nativeOlmo2StepCalls, nativeRowStats, registerNativeKernels, unregisterNativeKernels,
} from "../engine/index.js";
import { configureNativeMatMul, nativeMatMulStatus } from "../engine/native.js";
import { type CachedStep, KVCache, Olmo2Model, argmax, configFromPreset, generate, headDim, logSumExp } from "./index.js";

const addon = nativeMatMulStatus();

/** Runs fn on the tfjs layers (native kernels off), then natively; checks the native step really ran. */
function bothPaths<T>(fn: () => T): { tfjs: T; native: T } {
  unregisterNativeKernels();
  const before = nativeOlmo2StepCalls();
  const tfjs = fn();
  expect(nativeOlmo2StepCalls()).toBe(before);
  expect(registerNativeKernels()).toBe(true);
  const native = fn();
  expect(nativeOlmo2StepCalls()).toBeGreaterThan(before);
  return { tfjs, native };
}

function expectClose(got: Float32Array, want: Float32Array, label: string): void {
  expect(got.length, label).toBe(want.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(worst, `${label}: max |native - tfjs| ${worst} (largest |value| ${scale})`).toBeLessThanOrEqual(1e-4 * scale);
}

/** A left-padded prefill of two rows, then three single-token steps; logits of every step and the final caches. */
function cachedRun(model: Olmo2Model): { logits: Float32Array[]; keys: Float32Array[]; values: Float32Array[] } {
  const c = model.config;
  const prompts = [[3, 9, 14, 2, 11], [7, 5]];
  const promptLen = 5;
  const capacity = promptLen + 3;
  const cache = new KVCache(c.num_hidden_layers, 2, c.num_key_value_heads, capacity, headDim(c));
  const keyValid = prompts.map((p) => {
    const valid = new Uint8Array(capacity);
    valid.fill(1, promptLen - p.length, promptLen);
    return valid;
  });
  const pad = c.pad_token_id ?? 0;
  const ids = prompts.map((p) => [...new Array<number>(promptLen - p.length).fill(pad), ...p]);
  const positions = prompts.map((p) => Array.from({ length: promptLen }, (_, j) => Math.max(0, j - (promptLen - p.length))));
  const logits: Float32Array[] = [];
  const step = (tokens: number[][], s: CachedStep) => {
    const out = tf.tidy(() => model.forwardCached(tf.tensor2d(tokens, undefined, "int32"), s));
    logits.push(out.dataSync() as Float32Array);
    out.dispose();
  };
  step(ids, { cache, offset: 0, positions, keyValid });
  for (let s = 0; s < 3; s++) {
    const slot = promptLen + s;
    for (const valid of keyValid) valid[slot] = 1;
    step([[4 + s], [20 + s]], { cache, offset: slot, positions: prompts.map((p) => [p.length + s]), keyValid });
  }
  const result = {
    logits,
    keys: cache.keys.map((k) => k.dataSync() as Float32Array),
    values: cache.values.map((v) => v.dataSync() as Float32Array),
  };
  cache.dispose();
  return result;
}

describe.skipIf(!addon.loaded)(`native cached step${addon.loaded ? "" : ` (SKIPPED: ${addon.reason})`}`, () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    registerNativeKernels();
  });

  for (const overrides of [{}, { tie_word_embeddings: true }, { num_key_value_heads: 1 }, { head_dim: 6 }]) {
    it(`logits and KV cache equal the tfjs layers: padded prefill, then single tokens ${JSON.stringify(overrides)}`, () => {
      const model = Olmo2Model.init(configFromPreset("micro", { ...overrides, initializer_range: 0.2 }), 5);
      const { tfjs, native } = bothPaths(() => cachedRun(model));
      tfjs.logits.forEach((want, i) => expectClose(native.logits[i]!, want, `logits of step ${i}`));
      tfjs.keys.forEach((want, l) => expectClose(native.keys[l]!, want, `keys of layer ${l}`));
      tfjs.values.forEach((want, l) => expectClose(native.values[l]!, want, `values of layer ${l}`));
      model.dispose();
    });
  }

  it("every instruction-set variant of the GEMM under the step gives the same logits; one and two threads the very same", () => {
    const model = Olmo2Model.init(configFromPreset("tiny", { num_key_value_heads: 2, initializer_range: 0.1 }), 8);
    const isas = addon.loaded ? addon.supportedIsas : [];
    try {
      for (const isa of isas) {
        const byThreads = [1, 2].map((threads) => {
          configureNativeMatMul({ isa, threads });
          configureNativeDecode({ threads });
          const { tfjs, native } = bothPaths(() => cachedRun(model));
          tfjs.logits.forEach((want, i) => expectClose(native.logits[i]!, want, `${isa}, ${threads} threads: logits of step ${i}`));
          return native;
        });
        expect(byThreads[1]!.logits, `${isa}: two threads give what one gives`).toEqual(byThreads[0]!.logits);
        expect(byThreads[1]!.keys).toEqual(byThreads[0]!.keys);
      }
    } finally {
      if (addon.loaded) configureNativeMatMul({ isa: addon.isa, threads: addon.threads });
      configureNativeDecode({ threads: "auto" });
      model.dispose();
    }
  });

  it("greedy generation on the tiny preset gives the same tokens at batch 1 and 3", async () => {
    const model = Olmo2Model.init(configFromPreset("tiny"), 3);
    const opts = { maxNewTokens: 12, temperature: 0, eosTokenId: [] as number[] };
    // Batch 3 prefills 3 x 7 = 21 rows: more than the skinny GEMM takes, so the blocked one runs under the step too.
    for (const prompts of [[[17, 300, 4000, 5]], [[17, 300, 4000, 5, 60, 61, 62], [9], [1000, 2000]]]) {
      unregisterNativeKernels();
      const tfjs = await generate(model, prompts, opts);
      expect(registerNativeKernels()).toBe(true);
      const before = nativeOlmo2StepCalls();
      const native = await generate(model, prompts, opts);
      expect(nativeOlmo2StepCalls() - before).toBe(opts.maxNewTokens);
      expect(native.outputIds).toEqual(tfjs.outputIds);
      native.logprobs.forEach((row, r) => row.forEach((lp, i) => expect(lp).toBeCloseTo(tfjs.logprobs[r]![i]!, 3)));
    }
    model.dispose();
  });

  it("native row statistics: log-sum-exp equals a double-precision one, argmax and its logit equal argmax()'s, with -Infinity and NaN", () => {
    const cols = 4099;
    const data = new Float32Array(5 * cols).map((_, i) => 30 * Math.sin(i * 0.37) + (i % 7));
    data[cols + 5] = -Infinity; // a masked entry: contributes nothing
    data.fill(-Infinity, 2 * cols, 3 * cols); // every entry masked: -Infinity
    data[3 * cols + 11] = NaN;
    data.fill(2, 4 * cols, 5 * cols); // all tied: the first wins
    const logits = tf.tensor2d(data, [5, cols]);
    const greedy = nativeRowStats(logits, true)!;
    const plain = nativeRowStats(logits, false)!;
    expect(plain.argmax).toBeUndefined();
    for (const r of [0, 1, 4]) expect(greedy.logSumExp[r]!).toBeCloseTo(logSumExp(data.subarray(r * cols, (r + 1) * cols)), 4);
    expect(greedy.logSumExp[2]).toBe(-Infinity);
    expect(greedy.logSumExp[3]).toBeNaN();
    expect(Array.from(plain.logSumExp)).toEqual(Array.from(greedy.logSumExp));
    for (let r = 0; r < 5; r++) {
      const row = data.subarray(r * cols, (r + 1) * cols);
      expect(greedy.argmax![r]).toBe(argmax(row));
      expect(greedy.top![r]).toBe(row[argmax(row)]);
    }
    logits.dispose();
  });

  it("rejects a token id outside the vocabulary, naming it, and leaks no tensor", () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 5);
    const c = model.config;
    const cache = new KVCache(c.num_hidden_layers, 1, c.num_key_value_heads, 4, headDim(c));
    const ids = tf.tensor2d([[3, c.vocab_size]], undefined, "int32");
    const before = tf.memory().numTensors;
    expect(() => model.forwardCached(ids, { cache, offset: 0, positions: [[0, 1]], keyValid: [[1, 1, 0, 0]] })).toThrow(
      `token id ${c.vocab_size} outside the vocabulary`,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids]);
    cache.dispose();
    model.dispose();
  });

  it("falls back to the tfjs layers when the cache is rebuilt instead of written in place", () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 5);
    const c = model.config;
    const cache = new KVCache(c.num_hidden_layers, 1, c.num_key_value_heads, 4, headDim(c), false);
    const before = nativeOlmo2StepCalls();
    const logits = model.forwardCached(tf.tensor2d([[3, 4]], undefined, "int32"), { cache, offset: 0, positions: [[0, 1]], keyValid: [[1, 1, 0, 0]] });
    expect(nativeOlmo2StepCalls()).toBe(before);
    expect(logits.shape).toEqual([1, c.vocab_size]);
    tf.dispose([logits]);
    cache.dispose();
    model.dispose();
  });
});
