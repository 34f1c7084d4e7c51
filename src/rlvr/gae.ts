/**
 * PPO pieces Tülu 3's RLVR used (hist open_instruct/ppo_vllm_thread_ray_gtrl.py:1278-1320; TRL's
 * experimental PPOTrainer has the same code; ANCHORS §2.9 and §3: γ = 1, λ = 0.95, vf_coef 0.1,
 * value clip 0.2, KL as a per-token reward penalty with k1).
 *
 * Shapes: B responses × T positions, `mask` 1 on response tokens (right-padded).
 * All inputs here are rollout-time values: no gradient flows through rewards, GAE or whitening.
 * Only {@link valueLoss} is differentiable (with respect to the new value predictions).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import { tidyObject } from "../train/index.js";

/**
 * Per-token rewards for PPO: the KL penalty on every response token and the verifier score on the last one,
 *
 *   rewards_t = −β·kl_t·m_t  +  score·[t = last response token]
 *
 * TRL/OI put the score one position past the last token (`sequence_lengths_p1`, where the value head still
 * sees the EOS); with masks that include the EOS, the last masked token is that same EOS here.
 * A row with no response tokens gets no score (it has nowhere to go).
 */
export function tokenRewards(scores: tf.Tensor1D, kl: tf.Tensor2D, mask: tf.Tensor2D, beta: number): tf.Tensor2D {
  checkSameShape({ kl, mask });
  if (scores.shape[0] !== mask.shape[0]) throw new PosttrainError(`tokenRewards: ${scores.shape[0]} scores for ${mask.shape[0]} rows`);
  const [batch, length] = mask.shape;
  const m = mask.dataSync();
  const k = kl.dataSync();
  const s = scores.dataSync();
  const out = new Float32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    let last = -1;
    for (let t = 0; t < length; t++) {
      const i = b * length + t;
      if (m[i] > 0) {
        out[i] = -beta * k[i];
        last = t;
      }
    }
    if (last >= 0) out[b * length + last] += s[b];
  }
  return tf.tensor2d(out, [batch, length]);
}

export interface GaeOptions {
  /** Discount γ (Tülu 3: 1). */
  gamma: number;
  /** GAE λ (Tülu 3: 0.95). */
  lambda: number;
  /** Whiten the advantages over the response tokens (OI/TRL PPO always do; default true). */
  whiten?: boolean;
}

/**
 * Generalised Advantage Estimation (Schulman et al. 2016, arXiv:1506.02438), right to left:
 *
 *   δ_t = r_t + γ·V_{t+1} − V_t        (V_{t+1} = 0 after the last response token)
 *   A_t = δ_t + γ·λ·A_{t+1}
 *   returns_t = A_t + V_t              (the value-loss target; taken before whitening, as OI/TRL do)
 *
 * Rewards and values at padding are treated as 0, which is what OI/TRL get by zero-filling them.
 * Advantages are then whitened over response tokens (Bessel-corrected variance, mean shifted to 0:
 * `masked_whiten`) and zeroed at padding; returns are zeroed at padding.
 */
export function gae(rewards: tf.Tensor2D, values: tf.Tensor2D, mask: tf.Tensor2D, options: GaeOptions): { advantages: tf.Tensor2D; returns: tf.Tensor2D } {
  checkSameShape({ rewards, values, mask });
  const { gamma, lambda } = options;
  if (!(gamma >= 0 && gamma <= 1)) throw new PosttrainError(`GAE: gamma must be in [0, 1], got ${gamma}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new PosttrainError(`GAE: lambda must be in [0, 1], got ${lambda}`);
  const [batch, length] = mask.shape;
  const m = mask.dataSync();
  const r = rewards.dataSync();
  const v = values.dataSync();
  const adv = new Float32Array(batch * length);
  const ret = new Float32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    let next = 0; // A_{t+1}
    for (let t = length - 1; t >= 0; t--) {
      const i = b * length + t;
      const live = m[i] > 0 ? 1 : 0;
      const nextValue = t + 1 < length && m[i + 1] > 0 ? v[i + 1] : 0;
      const delta = live * (r[i] + gamma * nextValue - v[i]);
      next = live * (delta + gamma * lambda * next);
      adv[i] = next;
      ret[i] = live * (next + v[i]);
    }
  }
  return tidyObject(() => {
    const advantages = tf.tensor2d(adv, [batch, length]);
    const returns = tf.tensor2d(ret, [batch, length]);
    return { advantages: options.whiten === false ? advantages : maskedWhiten(advantages, mask), returns };
  });
}

/**
 * (x − mean) / sqrt(var + 1e-8) over the masked entries, with the Bessel-corrected variance, and 0 at
 * padding (OI/TRL `masked_whiten(shift_mean=True)` then `masked_fill`). Needs at least 2 masked entries.
 */
export function maskedWhiten(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  checkSameShape({ x, mask });
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const count = tf.sum(m).dataSync()[0];
    if (count < 2) throw new PosttrainError(`maskedWhiten: needs at least 2 response tokens, got ${count}`);
    const mean = tf.div(tf.sum(tf.mul(x, m)), count);
    const centred = tf.sub(x, mean);
    const variance = tf.div(tf.sum(tf.mul(tf.square(centred), m)), count - 1);
    return tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-8))), m) as tf.Tensor2D;
  });
}

/**
 * PPO's clipped value loss (TRL/OI PPO; `vf_coef` multiplies it in the total loss):
 *
 *   V_clip = clip(V, V_old − c, V_old + c)
 *   loss   = 0.5 · masked_mean( max((V − R)², (V_clip − R)²) )
 *
 * with R the GAE returns and V_old the rollout-time values. Also returns the share of tokens where the
 * clipped term is the larger one (TRL `val/clipfrac`).
 */
export function valueLoss(
  values: tf.Tensor2D,
  oldValues: tf.Tensor2D,
  returns: tf.Tensor2D,
  mask: tf.Tensor2D,
  clipRange: number,
): { loss: tf.Scalar; clipFraction: tf.Scalar } {
  checkSameShape({ values, oldValues, returns, mask });
  if (!(clipRange > 0)) throw new PosttrainError(`valueLoss: clip range must be > 0, got ${clipRange}`);
  return tidyObject(() => {
    const m = tf.cast(mask, "float32");
    const tokens = tf.maximum(tf.sum(m), 1);
    const clipped = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clipRange, clipRange));
    const unclippedLoss = tf.square(tf.sub(values, returns));
    const clippedLoss = tf.square(tf.sub(clipped, returns));
    const loss = tf.mul(tf.div(tf.sum(tf.mul(tf.maximum(unclippedLoss, clippedLoss), m)), tokens), 0.5) as tf.Scalar;
    const clipFraction = tf.div(tf.sum(tf.mul(tf.cast(tf.greater(clippedLoss, unclippedLoss), "float32"), m)), tokens) as tf.Scalar;
    return { loss, clipFraction };
  });
}

function checkSameShape(tensors: Record<string, tf.Tensor>): void {
  const entries = Object.entries(tensors);
  const [firstName, first] = entries[0];
  if (first.rank !== 2) throw new PosttrainError(`${firstName} must be [B, T], got [${first.shape}]`);
  for (const [name, t] of entries.slice(1)) {
    if (t.shape.length !== 2 || t.shape[0] !== first.shape[0] || t.shape[1] !== first.shape[1]) {
      throw new PosttrainError(`${name} has shape [${t.shape}], ${firstName} has [${first.shape}]`);
    }
  }
}
