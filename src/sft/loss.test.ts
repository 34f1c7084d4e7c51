import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { configFromPreset, Olmo2Model } from "../model/index.js";
import type { Batch } from "../data/index.js";
import { sftLoss } from "./loss.js";
import { sftMicroBatchLoss } from "./step.js";

const LN2 = Math.log(2);
const value = (t: tf.Scalar) => t.dataSync()[0]!;

beforeAll(async () => {
  await initBackend("cpu");
});

describe("sftLoss, by hand", () => {
  // Two micro-batches of one optimizer step (G = 2), shifted log-probs and assistant masks:
  //   micro 1: targets with p = 1/4 and 1/8 are labels, p = 1/2 is a prompt token  -> S1 = 2 ln2 + 3 ln2 = 5 ln2 over 2 tokens
  //   micro 2: one label with p = 1/2 (the p = 1/16 token is masked)              -> S2 = ln2 over 1 token
  const micro1 = { logprobs: [[-LN2, -2 * LN2, -3 * LN2]], mask: [[0, 1, 1]] };
  const micro2 = { logprobs: [[-LN2, -4 * LN2]], mask: [[1, 0]] };
  const share = (m: typeof micro1, reduce: "sum" | "mean") =>
    value(sftLoss(tf.tensor2d(m.logprobs), tf.tensor2d(m.mask), { reduce, numItemsInBatch: 3, gradientAccumulationSteps: 2 }));

  it("mean: the token mean over the whole accumulated batch (TRL num_items_in_batch)", () => {
    // (5 ln2 + ln2) / 3 tokens = 2 ln2; an average of per-micro-batch means would give (2.5 ln2 + ln2) / 2 = 1.75 ln2.
    expect(share(micro1, "mean")).toBeCloseTo((5 * LN2) / 3, 6);
    expect(share(micro1, "mean") + share(micro2, "mean")).toBeCloseTo(2 * LN2, 6);
  });

  it("sum: the summed token NLL, divided by the accumulation steps (Tülu 3 reduce_loss=sum)", () => {
    expect(share(micro1, "sum")).toBeCloseTo((5 * LN2) / 2, 6);
    expect(share(micro1, "sum") + share(micro2, "sum")).toBeCloseTo(3 * LN2, 6);
  });

  it("a masked-out token never contributes, whatever its log-prob", () => {
    const a = sftLoss(tf.tensor2d([[-LN2, -50]]), tf.tensor2d([[1, 0]]), { reduce: "sum", numItemsInBatch: 1, gradientAccumulationSteps: 1 });
    expect(value(a)).toBeCloseTo(LN2, 6);
  });
});

describe("sftMicroBatchLoss on a model", () => {
  it("equals the NLL of the masked next tokens computed from the logits by hand", () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 3);
    const ids = [5, 9, 2, 7, 11];
    const lossMask = [0, 0, 1, 1, 0]; // the tokens 2 and 7 are assistant tokens (predicted from 9 and 2)
    const batch: Batch = {
      batchSize: 1,
      length: 5,
      inputIds: Int32Array.from(ids),
      attentionMask: Int32Array.from([1, 1, 1, 1, 1]),
      lossMask: Float32Array.from(lossMask),
      segmentIds: Int32Array.from([1, 1, 1, 1, 1]),
      positionIds: Int32Array.from([0, 1, 2, 3, 4]),
    };
    const logits = model.forward(tf.tensor2d([ids.slice(0, 4)], undefined, "int32")).arraySync()[0]!;
    let expected = 0;
    for (let t = 0; t < 4; t++) {
      if (lossMask[t + 1] === 0) continue;
      const row = logits[t]!;
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      expected += lse - row[ids[t + 1]!]!;
    }
    const got = value(sftMicroBatchLoss(model, batch, { reduce: "mean", numItemsInBatch: 2, gradientAccumulationSteps: 1 }));
    expect(got).toBeCloseTo(expected / 2, 5);
    model.dispose();
  });
});
