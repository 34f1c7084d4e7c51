/**
 * One SFT micro-batch: forward over ids[:, :-1] (with the padding mask and, for packed rows, per-example
 * positions), log-probs of ids[:, 1:], and the loss of sftLoss on the shifted assistant mask.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/index.js";
import { tokenLogprobs, type Olmo2Model } from "../model/index.js";
import { sftLoss, type SftLossOptions } from "./loss.js";

/** Shifted per-token log-probs [B, T-1] and the shifted loss mask. Call inside tf.tidy or dispose. */
export function shiftedBatchLogprobs(model: Olmo2Model, batch: Batch): { logprobs: tf.Tensor2D; mask: tf.Tensor2D } {
  const { batchSize: b, length: t } = batch;
  const ids = tf.tensor2d(batch.inputIds, [b, t], "int32");
  const attention = tf.tensor2d(batch.attentionMask, [b, t], "int32");
  const positions = tf.tensor2d(batch.positionIds, [b, t], "int32");
  const lossMask = tf.tensor2d(batch.lossMask, [b, t], "float32");
  const inputs = tf.slice(ids, [0, 0], [b, t - 1]);
  const logits = model.forward(inputs, {
    attentionMask: tf.slice(attention, [0, 0], [b, t - 1]),
    positionIds: tf.slice(positions, [0, 0], [b, t - 1]),
  });
  const logprobs = tokenLogprobs(logits, tf.slice(ids, [0, 1], [b, t - 1]));
  return { logprobs, mask: tf.slice(lossMask, [0, 1], [b, t - 1]) };
}

/** This micro-batch's share of the step loss (a scalar to differentiate). */
export function sftMicroBatchLoss(model: Olmo2Model, batch: Batch, options: SftLossOptions): tf.Scalar {
  return tf.tidy(() => {
    const { logprobs, mask } = shiftedBatchLogprobs(model, batch);
    return sftLoss(logprobs, mask, options);
  });
}
