/**
 * The clipped policy-gradient loss of PPO / GRPO / DAPO / Dr. GRPO, per token, with TRL's aggregation
 * (`GRPOTrainer._compute_loss`, trl/trainer/grpo_trainer.py:3054-3150; ANCHORS §2.7). Shapes: B sequences,
 * T completion positions, `mask` 1 on completion tokens and 0 on padding.
 *
 *   r_t   = exp(logp_t − logp_old,t)                      importanceSampling "token" (default)
 *   r     = exp(Σ_t (logp − logp_old)·m / max(Σ_t m, 1))  importanceSampling "sequence" (GSPO), one per row
 *   l_t   = −min(r·A, clip(r, 1 − ε_low, 1 + ε_high)·A)  + β·KL_t(π‖ref)      (KL estimator k3 by default)
 *
 * Aggregation (`lossType`), with G = gradientAccumulationSteps:
 *   grpo     mean_i( Σ_t l·m / max(Σ_t m, 1) ) / G         sequence mean of token means (length-biased)
 *   bnpo     Σ l·m / max(Σ m, 1) / G                        token mean over this micro-batch
 *   dr_grpo  Σ l·m / (B · maxCompletionLength) / G          constant normaliser (Dr. GRPO, Liu et al. 2025)
 *   dapo     Σ l·m / numItemsInBatch                        tokens of the whole accumulated batch (DAPO, TRL's
 *                                                           default); without numItemsInBatch, the local Σ m
 *
 * PPO as Tülu 3 ran it (per-token GAE advantages [B, T], KL already folded into the reward, β = 0,
 * masked mean over the micro-batch) is `bnpo` with 2-D advantages.
 *
 * `oldLogp` omitted means one policy update per rollout batch (`num_iterations == 1`): TRL then uses
 * logp.detach(), so r = 1 in value but the gradient is the plain policy gradient −A·∇logp.
 *
 * Clip metrics follow TRL: low = r < 1 − ε_low with A < 0, high = r > 1 + ε_high with A > 0, region =
 * either; each a masked token mean (a plain mean over rows at sequence level).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import { stopGradient, tidyObject } from "../train/index.js";
import { klPerToken, type KlEstimator } from "./kl.js";

export type PolicyLossType = "grpo" | "bnpo" | "dr_grpo" | "dapo";

export interface PolicyLossInputs {
  /** Current policy's log-probs of the sampled tokens, [B, T] (the only differentiable input). */
  logp: tf.Tensor2D;
  /** Sampling policy's log-probs, [B, T]; omit when each rollout batch gets a single update. */
  oldLogp?: tf.Tensor2D;
  /** Frozen reference's log-probs, [B, T]; required when beta > 0, used for the `kl` metric when given. */
  refLogp?: tf.Tensor2D;
  /** Advantages: [B] per sequence (GRPO) or [B, T] per token (PPO with GAE). */
  advantages: tf.Tensor1D | tf.Tensor2D;
  /** 1 on completion tokens, 0 on padding, [B, T]. */
  mask: tf.Tensor2D;
}

export interface PolicyLossOptions {
  lossType: PolicyLossType;
  /** ε_low (TRL `epsilon`, default 0.2). */
  epsilonLow?: number;
  /** ε_high (TRL `epsilon_high`, DAPO clip-higher; default = ε_low). */
  epsilonHigh?: number;
  /** KL coefficient β (default 0: no KL term, no reference needed). */
  beta?: number;
  /** Default "k3", as TRL. */
  klEstimator?: KlEstimator;
  importanceSampling?: "token" | "sequence";
  /** Max completion length: the dr_grpo normaliser (required for it). */
  maxCompletionLength?: number;
  /** Completion tokens in the whole accumulated batch: the dapo normaliser (default: this micro-batch's). */
  numItemsInBatch?: number;
  /** Micro-batches per optimizer step, divided out by grpo, bnpo and dr_grpo as TRL does (default 1). */
  gradientAccumulationSteps?: number;
}

export interface PolicyLossOutput {
  /** The aggregated loss, differentiable with respect to `logp`. */
  loss: tf.Scalar;
  /** Share of completion tokens clipped at 1 − ε_low with A < 0 (TRL `clip_ratio/low_mean`). */
  clipLow: tf.Scalar;
  /** Share clipped at 1 + ε_high with A > 0 (`clip_ratio/high_mean`). */
  clipHigh: tf.Scalar;
  /** Either of the two (`clip_ratio/region_mean`). */
  clipRegion: tf.Scalar;
  /** Masked mean of the KL estimate when `refLogp` is given (detached), else null. */
  kl: tf.Scalar | null;
}

export function policyLoss(inputs: PolicyLossInputs, options: PolicyLossOptions): PolicyLossOutput {
  const { logp, mask } = inputs;
  const batch = logp.shape[0];
  const epsLow = options.epsilonLow ?? 0.2;
  const epsHigh = options.epsilonHigh ?? epsLow;
  const beta = options.beta ?? 0;
  const accumulation = options.gradientAccumulationSteps ?? 1;
  const level = options.importanceSampling ?? "token";
  validate(inputs, options, { epsLow, epsHigh, beta, accumulation });

  return tidyObject(() => {
    const m = tf.cast(mask, "float32");
    const isToken = tf.greater(m, 0);
    const tokensPerRow = tf.maximum(tf.sum(m, 1), 1); // [B]
    const old = inputs.oldLogp ?? stopGradient(logp);
    // Padding positions get log-ratio 0 (ratio 1), so whatever log-probs sit there cannot turn into NaN.
    const logRatio = tf.where(isToken, tf.sub(logp, old), tf.zerosLike(logp));
    // [B, T] at token level, [B, 1] at sequence level.
    const logWeights = level === "token" ? logRatio : tf.expandDims(tf.div(tf.sum(tf.mul(logRatio, m), 1), tokensPerRow), 1);
    const ratio = tf.exp(logWeights);
    const clipped = tf.clipByValue(ratio, 1 - epsLow, 1 + epsHigh);
    const adv = inputs.advantages.rank === 1 ? tf.expandDims(inputs.advantages, 1) : inputs.advantages;
    let perToken = tf.neg(tf.minimum(tf.mul(ratio, adv), tf.mul(clipped, adv))); // broadcasts to [B, T]
    let kl: tf.Scalar | null = null;
    if (inputs.refLogp) {
      const klTokens = klPerToken(tf.where(isToken, logp, inputs.refLogp), inputs.refLogp, options.klEstimator ?? "k3");
      if (beta > 0) perToken = tf.add(perToken, tf.mul(klTokens, beta));
      kl = stopGradient(maskedMean(klTokens, m));
    }
    perToken = tf.mul(perToken, m); // [B, T] (broadcasts the sequence-level [B, 1]), zero on padding

    let loss: tf.Scalar;
    switch (options.lossType) {
      case "grpo":
        loss = tf.div(tf.mean(tf.div(tf.sum(perToken, 1), tokensPerRow)), accumulation);
        break;
      case "bnpo":
        loss = tf.div(tf.div(tf.sum(perToken), tf.maximum(tf.sum(m), 1)), accumulation);
        break;
      case "dr_grpo":
        loss = tf.div(tf.sum(perToken), batch * options.maxCompletionLength! * accumulation);
        break;
      case "dapo":
        loss = tf.div(tf.sum(perToken), options.numItemsInBatch ?? tf.maximum(tf.sum(m), 1));
        break;
    }

    // Clip metrics (no gradient flows through comparisons).
    const isLow = tf.logicalAnd(tf.less(ratio, 1 - epsLow), tf.less(adv, 0));
    const isHigh = tf.logicalAnd(tf.greater(ratio, 1 + epsHigh), tf.greater(adv, 0));
    const share = (flags: tf.Tensor) => {
      const f = tf.cast(flags, "float32");
      return (level === "sequence" && inputs.advantages.rank === 1 ? tf.mean(f) : maskedMean(f, m)) as tf.Scalar;
    };
    return {
      loss: loss as tf.Scalar,
      clipLow: share(isLow),
      clipHigh: share(isHigh),
      clipRegion: share(tf.logicalOr(isLow, isHigh)),
      kl,
    };
  });
}

/** Read a PolicyLossOutput's metrics as numbers under TRL's names. */
export function policyLossMetrics(out: PolicyLossOutput): Record<string, number> {
  const read = (t: tf.Scalar) => t.dataSync()[0];
  const metrics: Record<string, number> = {
    loss: read(out.loss),
    "clip_ratio/low_mean": read(out.clipLow),
    "clip_ratio/high_mean": read(out.clipHigh),
    "clip_ratio/region_mean": read(out.clipRegion),
  };
  if (out.kl) metrics.kl = read(out.kl);
  return metrics;
}

export function disposePolicyLossOutput(out: PolicyLossOutput): void {
  tf.dispose([out.loss, out.clipLow, out.clipHigh, out.clipRegion, ...(out.kl ? [out.kl] : [])]);
}

/** Σ x·m / max(Σ m, 1). */
function maskedMean(x: tf.Tensor, m: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(x, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}

function validate(
  inputs: PolicyLossInputs,
  options: PolicyLossOptions,
  resolved: { epsLow: number; epsHigh: number; beta: number; accumulation: number },
): void {
  const fail = (problem: string): never => {
    throw new PosttrainError(`policy loss: ${problem}`);
  };
  const { logp, oldLogp, refLogp, advantages, mask } = inputs;
  if (logp.rank !== 2) fail(`logp must be [B, T], got [${logp.shape}]`);
  const shape = `[${logp.shape}]`;
  for (const [name, t] of [["oldLogp", oldLogp], ["refLogp", refLogp], ["mask", mask]] as const) {
    if (t && `[${t.shape}]` !== shape) fail(`${name} has shape [${t.shape}], logp has ${shape}`);
  }
  const advOk = advantages.rank === 1 ? advantages.shape[0] === logp.shape[0] : `[${advantages.shape}]` === shape;
  if (!advOk) fail(`advantages have shape [${advantages.shape}]; expected [${logp.shape[0]}] or ${shape}`);
  if (!["grpo", "bnpo", "dr_grpo", "dapo"].includes(options.lossType)) fail(`unknown loss_type "${options.lossType}"`);
  if (!(resolved.epsLow >= 0 && resolved.epsLow < 1)) fail(`epsilon must be in [0, 1), got ${resolved.epsLow}`);
  if (!(resolved.epsHigh >= 0)) fail(`epsilon_high must be >= 0, got ${resolved.epsHigh}`);
  if (!(resolved.beta >= 0)) fail(`beta must be >= 0, got ${resolved.beta}`);
  if (resolved.beta > 0 && !refLogp) fail("beta > 0 needs refLogp (the frozen reference's log-probs)");
  if (!(Number.isInteger(resolved.accumulation) && resolved.accumulation >= 1)) {
    fail(`gradientAccumulationSteps must be an integer >= 1, got ${resolved.accumulation}`);
  }
  if (options.lossType === "dr_grpo" && !(options.maxCompletionLength! > 0)) fail("dr_grpo needs maxCompletionLength > 0");
  if (options.numItemsInBatch !== undefined && !(options.numItemsInBatch > 0)) {
    fail(`numItemsInBatch must be > 0, got ${options.numItemsInBatch}`);
  }
  if (options.importanceSampling && !["token", "sequence"].includes(options.importanceSampling)) {
    fail(`importanceSampling must be token or sequence, got ${options.importanceSampling}`);
  }
}
