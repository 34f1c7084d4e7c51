/**
 * Per-token KL estimators between the policy and the frozen reference, on the sampled tokens
 * (Schulman, "Approximating KL Divergence", 2020). With d = logp_π − logp_ref:
 *
 *   k1 = d                      unbiased, high variance, can be negative   (OI index 0; OpenRLHF default;
 *                                                                           Tülu 3 PPO's reward penalty)
 *   k2 = d² / 2                 biased, low variance, ≥ 0                  (OI index 1; verl "mse")
 *   k3 = exp(−d) − 1 + d        unbiased, low variance, ≥ 0                (OI index 2 = default; TRL's only
 *                                                                           one, written exp(ref − logp) −
 *                                                                           (ref − logp) − 1: the same thing)
 *
 * Sources: open_instruct/model_utils.py:793-818, trl/trainer/grpo_trainer.py:3069-3076,
 * openrlhf/models/utils.py:64-95, verl/trainer/ppo/core_algos.py:1867-1902 (ANCHORS §2.8).
 * Estimators are named by formula, never by OI's bare index (whose meaning changed over time).
 *
 * d is clamped to ±clampLogRatio first (default 20; OI clamps ±40, verl ±20) so exp(−d) cannot overflow
 * when the policy drifts far (trl#3015). The clamp only binds at absurd divergence, and there the gradient
 * is zero, as with torch.clamp.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";

export type KlEstimator = "k1" | "k2" | "k3";

export const KL_ESTIMATORS: readonly KlEstimator[] = ["k1", "k2", "k3"];

export interface KlOptions {
  /** |d| is clamped to this before estimating (default 20). */
  clampLogRatio?: number;
}

/** Per-token KL estimate, same shape as the inputs. Differentiable with respect to `logp`. */
export function klPerToken(logp: tf.Tensor, refLogp: tf.Tensor, estimator: KlEstimator, options: KlOptions = {}): tf.Tensor {
  const clamp = options.clampLogRatio ?? 20;
  if (!(clamp > 0)) throw new PosttrainError(`KL: clampLogRatio must be > 0, got ${clamp}`);
  if (!sameShape(logp.shape, refLogp.shape)) {
    throw new PosttrainError(`KL: policy log-probs [${logp.shape}] and reference log-probs [${refLogp.shape}] differ in shape`);
  }
  return tf.tidy(() => {
    const d = tf.clipByValue(tf.sub(logp, refLogp), -clamp, clamp);
    switch (estimator) {
      case "k1":
        return d;
      case "k2":
        return tf.mul(tf.square(d), 0.5);
      case "k3":
        return tf.add(tf.expm1(tf.neg(d)), d);
      default:
        throw new PosttrainError(`KL: unknown estimator "${estimator as string}" (expected ${KL_ESTIMATORS.join(", ")})`);
    }
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
