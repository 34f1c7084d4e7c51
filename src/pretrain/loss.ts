/**
 * Causal-LM loss, the pretraining objective (nanoGPT, OLMo 2 stage 1):
 *
 *   L_sum = − Σ_{b,t} m[b,t] · log p(x[b,t+1] | x[b,≤t])
 *
 * returned as a *sum* over the micro-batch's predicted tokens together with their count, so the training
 * loop divides by the tokens of the whole accumulated batch (a token mean that does not depend on how the
 * batch is split into micro-batches). m is 1 for every real token (packed rows have no padding).
 */
import * as tf from "@tensorflow/tfjs-core";
import { shiftedTokenLogprobs, type Olmo2Model } from "../model/index.js";

export function causalLmLossSum(model: Olmo2Model, ids: tf.Tensor2D): { loss: tf.Scalar; tokens: number } {
  const [b, t] = ids.shape;
  const loss = tf.tidy(() => {
    const ones = tf.ones([b, t], "float32") as tf.Tensor2D;
    const { logprobs, mask } = shiftedTokenLogprobs(model, ids, ones);
    return tf.neg(tf.sum(tf.mul(logprobs, mask))) as tf.Scalar;
  });
  return { loss, tokens: b * (t - 1) };
}
