import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { Rng } from "../rng.js";
import { Olmo2Model, configFromPreset, tokenLogprobs } from "./index.js";
import { gradientsByName, meanNll } from "./test-helpers.js";

const IDS = [
  [13, 5, 7, 9, 3, 11, 40], // no pad id (1): its zero embedding sits where RMSNorm is too curved for finite differences
  [4, 4, 2, 8, 60, 33, 12],
];

describe("OLMo-2 model gradients", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });
  afterAll(async () => {
    await initBackend("wasm");
  });

  for (const variant of [
    { name: "GQA, untied", overrides: {} },
    { name: "tied embeddings, MHA", overrides: { tie_word_embeddings: true, num_key_value_heads: 4 } },
  ]) {
    it(`matches central finite differences for every parameter tensor (${variant.name})`, () => {
      const config = configFromPreset("micro", variant.overrides);
      const model = Olmo2Model.init(config, 7);
      // Non-unit norm weights, so a wrongly placed norm weight shows up in the gradients.
      const rng = new Rng(3);
      for (const [name, v] of model.weights) {
        if (name.endsWith("norm.weight")) v.assign(tf.tensor(Array.from({ length: v.size }, () => 0.8 + 0.4 * rng.next()), v.shape));
      }
      const grads = gradientsByName(model, IDS);
      expect([...grads.keys()].sort()).toEqual(model.names().sort());
      const loss = meanNll(model, IDS).dataSync()[0]!;
      for (const [name, v] of model.weights) {
        const g = grads.get(name)!;
        // A step relative to the tensor's scale: embeddings and projections are ~0.02, norms ~1.
        const values = v.dataSync() as Float32Array;
        const rms = Math.sqrt(values.reduce((a: number, x: number) => a + x * x, 0) / values.length);
        const eps = 0.02 * rms;
        // float32 loss evaluations carry ~1e-6 relative noise, which the difference divides by 2 eps.
        const noise = (4e-6 * loss) / eps;
        // The entry with the largest gradient (a meaningful check) plus two random entries.
        let largest = 0;
        for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[largest]!)) largest = i;
        expect(Math.abs(g[largest]!), `${name} has an all-zero gradient`).toBeGreaterThan(0);
        for (const idx of [largest, rng.int(0, g.length - 1), rng.int(0, g.length - 1)]) {
          const orig = v.dataSync().slice();
          const at = (delta: number) => {
            const values = orig.slice();
            values[idx]! += delta;
            v.assign(tf.tensor(values, v.shape));
            return meanNll(model, IDS).dataSync()[0]!;
          };
          const fd = (at(eps) - at(-eps)) / (2 * eps);
          v.assign(tf.tensor(orig, v.shape));
          const tol = noise + 0.03 * Math.max(Math.abs(fd), Math.abs(g[idx]!));
          expect(Math.abs(g[idx]! - fd), `${name}[${idx}]: analytic ${g[idx]} vs finite difference ${fd}`).toBeLessThanOrEqual(tol);
        }
      }
      model.dispose();
    });
  }
});

describe("OLMo-2 model on wasm", () => {
  it("gives the same loss and gradients as the cpu backend", async () => {
    const config = configFromPreset("micro");
    await initBackend("cpu");
    const cpuModel = Olmo2Model.init(config, 11);
    const cpuLoss = meanNll(cpuModel, IDS).dataSync()[0]!;
    const cpuGrads = gradientsByName(cpuModel, IDS);
    cpuModel.dispose();
    await initBackend("wasm");
    const wasmModel = Olmo2Model.init(config, 11);
    expect(meanNll(wasmModel, IDS).dataSync()[0]!).toBeCloseTo(cpuLoss, 5);
    const wasmGrads = gradientsByName(wasmModel, IDS);
    for (const [name, g] of cpuGrads) {
      const w = wasmGrads.get(name)!;
      const scale = Math.max(...g.map(Math.abs));
      const worst = Math.max(...g.map((x, i) => Math.abs(x - w[i]!)));
      expect(worst, name).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
    }
    wasmModel.dispose();
  });

  it("masks padded keys: a right-padded row scores its real tokens as the unpadded row does", async () => {
    await initBackend("wasm");
    const model = Olmo2Model.init(configFromPreset("micro"), 5);
    const short = tf.tensor2d([[3, 9, 14]], undefined, "int32");
    const padded = tf.tensor2d([[3, 9, 14, 1, 1]], undefined, "int32");
    const mask = tf.tensor2d([[1, 1, 1, 0, 0]], undefined, "int32");
    const a = model.forward(short).arraySync()[0]!;
    const b = model.forward(padded, { attentionMask: mask }).arraySync()[0]!;
    for (let t = 0; t < 3; t++) for (let v = 0; v < a[t]!.length; v++) expect(b[t]![v]!).toBeCloseTo(a[t]![v]!, 5);
    // Left padding with shifted positions gives the same scores too.
    const left = tf.tensor2d([[1, 1, 3, 9, 14]], undefined, "int32");
    const leftMask = tf.tensor2d([[0, 0, 1, 1, 1]], undefined, "int32");
    const pos = tf.tensor2d([[0, 0, 0, 1, 2]], undefined, "int32");
    const c = model.forward(left, { attentionMask: leftMask, positionIds: pos }).arraySync()[0]!;
    for (let t = 0; t < 3; t++) for (let v = 0; v < a[t]!.length; v++) expect(c[t + 2]![v]!).toBeCloseTo(a[t]![v]!, 5);
    // Without positionIds the positions come from the attention mask, with the same result.
    const d = model.forward(left, { attentionMask: leftMask }).arraySync()[0]!;
    expect(d).toEqual(c);
    tf.dispose([short, padded, mask, left, leftMask, pos]);
    model.dispose();
  });

  it("checkpointed layers give the same loss and gradients, and leak nothing", async () => {
    await initBackend("wasm");
    const model = Olmo2Model.init(configFromPreset("micro", { initializer_range: 0.1 }), 8);
    const ids = tf.tensor2d(IDS.map((r) => r.slice(0, -1)), undefined, "int32");
    const targets = tf.tensor2d(IDS.map((r) => r.slice(1)), undefined, "int32");
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1]], undefined, "int32");
    const run = (checkpoint: boolean) => {
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.neg(tf.mean(tokenLogprobs(model.forward(ids, { attentionMask: mask, checkpoint }), targets))) as tf.Scalar), model.trainableVariables());
      const out = { loss: value.dataSync()[0]!, grads: model.trainableVariables().map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const plain = run(false);
    const before = tf.memory().numTensors;
    const checkpointed = run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(checkpointed.loss).toBeCloseTo(plain.loss, 6);
    checkpointed.grads.forEach((g, i) => g.forEach((x, j) => expect(x).toBeCloseTo(plain.grads[i]![j]!, 6)));
    tf.dispose([ids, targets, mask]);
    model.dispose();
  });

  it("clone() copies the weights: same logits, and updating the original leaves the clone alone", async () => {
    await initBackend("wasm");
    const model = Olmo2Model.init(configFromPreset("micro"), 5);
    const copy = model.clone();
    const ids = tf.tensor2d([[3, 9, 14]], undefined, "int32");
    const before = model.forward(ids).dataSync().slice();
    expect(Array.from(copy.forward(ids).dataSync())).toEqual(Array.from(before));
    const w = model.weights.get("model.layers.0.mlp.up_proj.weight")!;
    w.assign(tf.mul(w, 2));
    expect(Array.from(copy.forward(ids).dataSync())).toEqual(Array.from(before));
    expect(Array.from(model.forward(ids).dataSync())).not.toEqual(Array.from(before));
    expect(copy.names()).toEqual(model.names());
    ids.dispose();
    model.dispose();
    copy.dispose();
  });

  it("forward leaks no tensors", async () => {
    await initBackend("wasm");
    const model = Olmo2Model.init(configFromPreset("micro"), 5);
    const ids = tf.tensor2d([[3, 9, 14]], undefined, "int32");
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) meanNll(model, [[3, 9, 14, 2]]).dispose();
    model.forward(ids).dispose();
    expect(tf.memory().numTensors).toBe(before);
    ids.dispose();
    model.dispose();
  });
});

describe("tokenLogprobs", () => {
  it("equals logSoftmax picked at the targets, with the matching gradient", async () => {
    await initBackend("wasm");
    const logits = tf.tensor3d([[[1, 2, 3, -1], [0.5, -1, 2, 0]], [[0, 0, 0, 0], [3, -2, 1, 1]]]);
    const targets = tf.tensor2d([[2, 0], [3, 1]], undefined, "int32");
    const weights = tf.tensor2d([[1, 2], [-1, 0.5]]);
    const ours = (x: tf.Tensor) => tf.sum(tf.mul(tokenLogprobs(x as tf.Tensor3D, targets), weights));
    const reference = (x: tf.Tensor) => tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(x), tf.cast(tf.oneHot(targets, 4), "float32")), -1), weights));
    expect(ours(logits).dataSync()[0]).toBeCloseTo(reference(logits).dataSync()[0]!, 5);
    const g1 = tf.grad(ours)(logits).dataSync();
    const g2 = tf.grad(reference)(logits).dataSync();
    g1.forEach((x, i) => expect(x).toBeCloseTo(g2[i]!, 5));
  });
});
