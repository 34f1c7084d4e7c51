/**
 * KL of the policy to the reference measured on a batch of its own rollouts, without training on it:
 *
 *   kl = Σ_tokens KL_t(π‖ref) · m / Σ m,   KL_t from klPerToken on log softmax(logits / T) of both models
 *
 * the same quantity the GRPO loss reports as `kl` when beta > 0. With beta = 0 no reference is kept during
 * training; the runner loads the input model for this measurement at held-out eval steps only, so a run
 * without a KL penalty still reports how far it moved.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Olmo2Model } from "../model/index.js";
import { klPerToken, type KlEstimator } from "./kl.js";
import { responseBatch, responseLogprobs, type RolloutSample } from "./rollout.js";

export function rolloutKl(
  policy: Olmo2Model,
  reference: Olmo2Model,
  samples: readonly RolloutSample[],
  options: { padId: number; temperature: number; estimator: KlEstimator },
): number {
  const batch = responseBatch(samples, options.padId);
  return tf.tidy(() => {
    const mask = tf.tensor2d(batch.responseMask, [batch.rows, batch.responseLength]);
    const kl = klPerToken(responseLogprobs(policy, batch, options.temperature), responseLogprobs(reference, batch, options.temperature), options.estimator);
    return tf.div(tf.sum(tf.mul(kl, mask)), tf.maximum(tf.sum(mask), 1)).dataSync()[0]!;
  });
}
