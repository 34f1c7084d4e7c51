import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { Olmo2Model, configFromPreset, logSumExp } from "../model/index.js";
import { Rng } from "../rng.js";
import { responseBatch, responseLogits, responseLogprobs, rollout } from "./rollout.js";

const PROMPTS = [[5, 9, 14, 3, 22], [40], [8, 8, 17]];

beforeAll(async () => {
  await initBackend("wasm");
});

describe("responseBatch", () => {
  it("left-pads prompts and right-pads responses so response token j sits at column P + j", () => {
    const b = responseBatch(
      [
        { promptIds: [7, 8], responseIds: [20, 21, 2] },
        { promptIds: [9, 10, 11], responseIds: [30] },
      ],
      1,
    );
    expect([b.rows, b.promptLength, b.responseLength]).toEqual([2, 3, 3]);
    expect(Array.from(b.ids)).toEqual([1, 7, 8, 20, 21, 2, 9, 10, 11, 30, 1, 1]);
    expect(Array.from(b.attention)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(b.responseMask)).toEqual([1, 1, 1, 1, 0, 0]);
  });
});

describe("rollout", () => {
  it("samples G responses per prompt in repeat-interleave order, stops at EOS, is reproducible from the RNG", async () => {
    const model = Olmo2Model.init(configFromPreset("micro", { initializer_range: 0.2 }), 21);
    const opts = { numGenerations: 3, temperature: 1, maxResponseLength: 6, eosId: 2 };
    const a = await rollout(model, PROMPTS, { ...opts, rng: new Rng(5) });
    const b = await rollout(model, PROMPTS, { ...opts, rng: new Rng(5) });
    expect(a.samples.map((s) => s.promptIndex)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(b.samples.map((s) => s.responseIds)).toEqual(a.samples.map((s) => s.responseIds));
    for (const s of a.samples) {
      expect(s.promptIds).toEqual(PROMPTS[s.promptIndex]);
      expect(s.sampleLogprobs).toHaveLength(s.responseIds.length);
      const eosAt = s.responseIds.indexOf(2);
      if (s.finishReason === "eos") expect(eosAt).toBe(s.responseIds.length - 1);
      else expect([eosAt, s.responseIds.length]).toEqual([-1, 6]);
    }
    expect(a.tokens).toBe(a.samples.reduce((n, s) => n + s.responseIds.length, 0));
    model.dispose();
  });

  it("recomputed log-probs at temperature 1 equal the sampling policy's, and at T they are log softmax(logits / T)", async () => {
    const model = Olmo2Model.init(configFromPreset("micro", { initializer_range: 0.2 }), 21);
    const { samples } = await rollout(model, PROMPTS, { numGenerations: 2, temperature: 1, maxResponseLength: 5, eosId: 2, rng: new Rng(9) });
    const batch = responseBatch(samples, 1);
    const t = batch.responseLength;
    const at1 = responseLogprobs(model, batch, 1).arraySync();
    samples.forEach((s, r) => s.sampleLogprobs.forEach((lp, j) => expect(at1[r]![j]).toBeCloseTo(lp, 4)));

    const at2 = responseLogprobs(model, batch, 2).arraySync();
    const logits = responseLogits(model, batch, 1, (l) => tf.clone(l)).arraySync();
    samples.forEach((s, r) =>
      s.responseIds.forEach((id, j) => {
        const row = logits[r]![j]!.map((x) => x / 2);
        expect(at2[r]![j]).toBeCloseTo(row[id]! - logSumExp(row), 4);
      }),
    );
    expect(at1[0]).toHaveLength(t);
    model.dispose();
  });
});
