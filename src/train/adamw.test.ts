import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { fusedKernelCalls, registerFusedKernels, setFusedKernelsEnabled } from "../engine/index.js";
import { Rng } from "../rng.js";
import { AdamW, hfDecayMask } from "./adamw.js";
import { assertNoLeak } from "./memory.js";
import { expectWasmMatchesCpu } from "./test-helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Independent float64 AdamW written straight from the PyTorch docs' pseudo-code, for cross-checking. */
function naiveAdamW(p: number[], grads: number[][], lrs: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const x = [...p];
  grads.forEach((g, i) => {
    const t = i + 1;
    for (let j = 0; j < x.length; j++) {
      x[j] -= lrs[i] * wd * x[j];
      m[j] = b1 * m[j] + (1 - b1) * g[j];
      v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
      const mHat = m[j] / (1 - b1 ** t);
      const vHat = v[j] / (1 - b2 ** t);
      x[j] -= (lrs[i] * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return x;
}

describe("AdamW", () => {
  it("one step matches the hand computation", () => {
    // p = [1, -2], g = [0.5, -1], lr 0.1, λ 0.01, β (0.9, 0.999), eps 1e-8, t = 1:
    //   decay: p ← p·(1 − 0.1·0.01) = [0.999, −1.998]
    //   m = 0.1·g = [0.05, −0.1];  v = 0.001·g² = [0.00025, 0.001]
    //   m̂ = m / 0.1 = g;  sqrt(v)/sqrt(0.001) = |g|;  update = 0.1 · g / (|g| + 1e-8) ≈ [0.1, −0.1]
    //   p = [0.999 − 0.1, −1.998 + 0.1] = [0.899, −1.898]
    const w = tf.variable(tf.tensor1d([1, -2]), true, "adamw_hand_w");
    const opt = new AdamW(new Map([["w", w]]), { weightDecay: 0.01 });
    const g = tf.tensor1d([0.5, -1]);
    opt.step(new Map([["w", g]]), 0.1);
    const got = w.dataSync();
    expect(got[0]).toBeCloseTo(0.899, 6);
    expect(got[1]).toBeCloseTo(-1.898, 6);
    expect(opt.stepCount).toBe(1);
    g.dispose();
    opt.dispose();
    w.dispose();
  });

  it("agrees with a naive float64 implementation over several steps, honouring the decay mask", () => {
    const start = [0.3, -0.7, 1.5];
    const grads = [
      [0.1, -0.2, 0.3],
      [-0.5, 0.05, 0.2],
      [0.02, 0.4, -1.0],
      [0.3, -0.3, 0.0],
    ];
    const lrs = [1e-2, 2e-2, 2e-2, 5e-3];
    const decayed = tf.variable(tf.tensor1d(start), true, "adamw_naive_decayed");
    const norm = tf.variable(tf.tensor1d(start), true, "adamw_naive_norm");
    const names = { "model.layers.0.mlp.up_proj.weight": decayed, "model.layers.0.post_attention_layernorm.weight": norm };
    const opt = new AdamW(names, { weightDecay: 0.1 });
    grads.forEach((g, i) => {
      const gd = tf.tensor1d(g);
      const gn = tf.tensor1d(g);
      opt.step({ "model.layers.0.mlp.up_proj.weight": gd, "model.layers.0.post_attention_layernorm.weight": gn }, lrs[i]);
      gd.dispose();
      gn.dispose();
    });
    const wantDecayed = naiveAdamW(start, grads, lrs, 0.1);
    const wantNorm = naiveAdamW(start, grads, lrs, 0);
    Array.from(decayed.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(wantDecayed[i], 5));
    Array.from(norm.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(wantNorm[i], 5));
    // The mask made a difference, so the test would catch decay applied to norms.
    expect(Math.abs(wantDecayed[0] - wantNorm[0])).toBeGreaterThan(1e-5);
    opt.dispose();
    decayed.dispose();
    norm.dispose();
  });

  it("exported state resumes bit-exactly", () => {
    const grads = [[0.1, -0.2], [0.3, 0.1], [-0.4, 0.2]];
    const run = (resumeAfter: number | null): Float32Array => {
      const w = tf.variable(tf.tensor1d([1, 2]), true);
      let opt = new AdamW(new Map([["w", w]]), { weightDecay: 0.05 });
      grads.forEach((g, i) => {
        if (resumeAfter === i) {
          const state = opt.exportState();
          opt.dispose();
          opt = new AdamW(new Map([["w", w]]), { weightDecay: 0.05 });
          opt.importState(state);
        }
        const t = tf.tensor1d(g);
        opt.step(new Map([["w", t]]), 1e-2);
        t.dispose();
      });
      const out = w.dataSync() as Float32Array;
      opt.dispose();
      w.dispose();
      return out;
    };
    expect(Array.from(run(2))).toEqual(Array.from(run(null)));
  });

  it("state import rejects names and shapes that do not fit", () => {
    const w = tf.variable(tf.zeros([2, 3]), true);
    const opt = new AdamW({ "lm_head.weight": w });
    const data = new Float32Array(6);
    expect(() => opt.importState({ step: 1, tensors: { "other.exp_avg": { shape: [2, 3], data } } })).toThrow(/other\.exp_avg/);
    expect(() => opt.importState({ step: 1, tensors: { "lm_head.weight.exp_avg": { shape: [3, 2], data } } })).toThrow(/shape/);
    expect(() => opt.importState({ step: 1, tensors: { "lm_head.weight.exp_avg": { shape: [2, 3], data } } })).toThrow(/exp_avg_sq/);
    opt.dispose();
    w.dispose();
  });

  it("rejects gradients for unknown parameters or with the wrong shape", () => {
    const w = tf.variable(tf.zeros([2]), true);
    const opt = new AdamW({ w });
    const g = tf.zeros([3]);
    expect(() => opt.step({ nope: g }, 0.1)).toThrow(/unknown parameter "nope"/);
    expect(() => opt.step({ w: g }, 0.1)).toThrow(/shape/);
    expect(opt.stepCount).toBe(0);
    g.dispose();
    opt.dispose();
    w.dispose();
  });

  it("steps without leaking tensors", async () => {
    const w = tf.variable(tf.ones([4, 4]), true);
    const opt = new AdamW({ w }, { weightDecay: 0.1 });
    const g = tf.ones([4, 4]);
    opt.step({ w: g }, 0.1); // first step allocates the two moment buffers
    await assertNoLeak(() => {
      opt.step({ w: g }, 0.1);
      opt.step({ w: g }, 0.1);
    }, "AdamW.step");
    g.dispose();
    opt.dispose();
    w.dispose();
  });
});

describe("hfDecayMask", () => {
  it("decays weights and embeddings, not norms or biases", () => {
    expect(hfDecayMask("model.embed_tokens.weight")).toBe(true);
    expect(hfDecayMask("lm_head.weight")).toBe(true);
    expect(hfDecayMask("model.layers.3.self_attn.q_proj.weight")).toBe(true);
    expect(hfDecayMask("model.layers.3.self_attn.q_norm.weight")).toBe(false);
    expect(hfDecayMask("model.layers.3.post_feedforward_layernorm.weight")).toBe(false);
    expect(hfDecayMask("model.norm.weight")).toBe(false);
    expect(hfDecayMask("score.bias")).toBe(false);
  });
});

describe("AdamW on the wasm backend (the project default)", () => {
  it("gives the cpu backend's numbers", async () => {
    const run = (): number[] => {
      const w = tf.variable(tf.tensor1d([1, -2, 3]), true);
      const opt = new AdamW({ w }, { weightDecay: 0.1 });
      for (const g of [[0.5, -1, 2], [0.1, 0.2, -0.3]]) {
        const t = tf.tensor1d(g);
        opt.step({ w: t }, 0.05);
        t.dispose();
      }
      const out = Array.from(w.dataSync());
      opt.dispose();
      w.dispose();
      return out;
    };
    await expectWasmMatchesCpu(run);
  });
});

const fusedBuilt = registerFusedKernels();

describe.skipIf(!fusedBuilt)(`AdamW with the fused native update (wasm)${fusedBuilt ? "" : " (SKIPPED: addon not built)"}`, () => {
  it("gives the tfjs formula's parameters and moments (to float rounding), decayed and not, over several steps", async () => {
    // 6000 elements: the update is split over both threads.
    const rng = new Rng(5);
    const values = (n: number) => Array.from({ length: n }, () => rng.normal());
    const start = { w: values(6000), norm: values(7) };
    const grads = [0, 1, 2].map(() => ({ w: values(6000), norm: values(7) }));
    const run = (fused: boolean): number[][] => {
      setFusedKernelsEnabled(fused);
      const params = { "layer.weight": tf.variable(tf.tensor1d(start.w)), "model.norm.weight": tf.variable(tf.tensor1d(start.norm)) };
      const opt = new AdamW(params, { weightDecay: 0.1, beta2: 0.95 });
      for (const g of grads) {
        const named = { "layer.weight": tf.tensor1d(g.w), "model.norm.weight": tf.tensor1d(g.norm) };
        opt.step(named, 3e-3);
        tf.dispose(Object.values(named));
      }
      const state = opt.exportState();
      const out = [...Object.values(params).map((p) => Array.from(p.dataSync())), ...Object.values(state.tensors).map((t) => Array.from(t.data))];
      opt.dispose();
      tf.dispose(Object.values(params));
      return out;
    };
    expect(await tf.setBackend("wasm")).toBe(true);
    try {
      const callsBefore = fusedKernelCalls();
      const fused = run(true);
      expect(fusedKernelCalls()).toBe(callsBefore + 2 * grads.length);
      // Same float32 operations in the same order; wasm's own kernels round a few of them differently (1 ulp).
      const plain = run(false);
      fused.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - plain[i]![j]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(x)))));
    } finally {
      setFusedKernelsEnabled(true);
      await tf.setBackend("cpu");
    }
  });
});
