/**
 * The SFT loss: negative log-likelihood of the assistant tokens only (the encodeChat mask; prompt, system
 * and user tokens carry no loss), with the two reductions open-instruct and TRL offer. For micro-batch j of
 * an optimizer step made of G micro-batches:
 *
 *   S_j = − Σ_{b,t} m_j[b,t] · log p(x_j[b,t+1] | x_j[b,≤t])          (masked token NLL, summed)
 *
 *   reduce = "mean":  ℓ_j = S_j / N,  N = Σ_j Σ m_j   — the token mean over the whole accumulated batch,
 *                     TRL's `num_items_in_batch` (trl/trainer/sft_trainer.py), so every token weighs the same
 *                     however the batch is split into micro-batches.
 *   reduce = "sum":   ℓ_j = S_j / G                  — Tülu 3's `--reduce_loss sum` (open-instruct finetune.py
 *                     before PR #1024: CrossEntropyLoss(reduction="sum"), which accelerate divides by G when
 *                     accumulating), so longer batches get proportionally larger gradients.
 *
 * The step loss (and its gradient) is Σ_j ℓ_j. `logprobs` and `mask` are [B, T-1], already shifted.
 */
import * as tf from "@tensorflow/tfjs-core";

export type SftReduce = "sum" | "mean";

export interface SftLossOptions {
  reduce: SftReduce;
  /** N: label tokens in all micro-batches of this optimizer step (used by "mean"). */
  numItemsInBatch: number;
  /** G: micro-batches per optimizer step (used by "sum"). */
  gradientAccumulationSteps: number;
}

/** ℓ_j, this micro-batch's share of the step loss (see the module comment). */
export function sftLoss(logprobs: tf.Tensor2D, mask: tf.Tensor2D, options: SftLossOptions): tf.Scalar {
  const divisor = options.reduce === "mean" ? Math.max(1, options.numItemsInBatch) : options.gradientAccumulationSteps;
  return tf.tidy(() => tf.div(tf.neg(tf.sum(tf.mul(logprobs, mask))), divisor) as tf.Scalar);
}
