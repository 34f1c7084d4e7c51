/**
 * One SFT micro-batch: forward over ids[:, :-1] (with the padding mask and, for packed rows, per-example
 * positions), log-probs of ids[:, 1:], and the loss of sftLoss on the shifted assistant mask.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/index.js";
import { batchTokenLogprobs, type Olmo2Model } from "../model/index.js";
import { sftLoss, type SftLossOptions } from "./loss.js";

/** This micro-batch's share of the step loss (a scalar to differentiate). */
export function sftMicroBatchLoss(model: Olmo2Model, batch: Batch, options: SftLossOptions): tf.Scalar {
  return tf.tidy(() => {
    const { logprobs, mask } = batchTokenLogprobs(model, batch);
    return sftLoss(logprobs, mask, options);
  });
}
