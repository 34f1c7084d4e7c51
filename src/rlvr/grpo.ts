/**
 * One GRPO-family update on a batch of rollouts (TRL GRPOTrainer semantics; ANCHORS §2.7):
 *
 *   1. group-relative advantages from the rewards (groupAdvantages: (r − μ_g)/(σ_g + eps), or r − μ_g
 *      with scale_rewards false = Dr. GRPO);
 *   2. with num_iterations > 1, the old policy's log-probs from one forward pass before any update (TRL's
 *      `old_per_token_logps`); with 1, the ratio is detached logp (value 1, plain policy gradient);
 *   3. with beta > 0, the frozen reference's log-probs (same temperature as the policy);
 *   4. num_iterations optimizer steps, each over every micro-batch of the batch with the clipped objective
 *      (policyLoss: epsilon, epsilon_high, loss_type grpo | dr_grpo | dapo, KL k1/k3 · beta).
 *
 * Exact aggregation across micro-batches: each micro-batch loss is its share of the whole batch's loss:
 *   grpo     (1/B) Σ_rows seq-mean        = micro grpo-loss · B_micro / B
 *   dr_grpo  Σ l·m / (B · L)              = micro dr_grpo-loss · B_micro / B
 *   dapo     Σ l·m / (tokens of the batch) = micro dapo-loss with numItemsInBatch = batch tokens
 * With beta = 0, rows of groups whose rewards are all equal have A = 0 and no KL term, so their loss and
 * gradient are exactly 0: they are skipped (not computed) while still counted in B and the batch tokens.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Olmo2Model } from "../model/index.js";
import type { AdamW } from "../train/index.js";
import { groupAdvantages } from "./advantages.js";
import type { KlEstimator } from "./kl.js";
import { policyLoss, policyLossMetrics } from "./policy-loss.js";
import { responseBatch, responseLogprobs, type RolloutSample } from "./rollout.js";
import { chunks, optimizerStep, pickRows, WeightedMeans } from "./update.js";

export interface GrpoConfig {
  numGenerations: number;
  temperature: number;
  lossType: "grpo" | "dr_grpo" | "dapo";
  scaleRewards: boolean;
  epsilon: number;
  epsilonHigh: number | null;
  beta: number;
  klEstimator: KlEstimator;
  numIterations: number;
  /** Micro-batches per optimizer step. */
  microBatches: number;
  /** The dr_grpo normaliser L (TRL max_completion_length). */
  maxResponseLength: number;
  maxGradNorm: number;
}

export interface GrpoModels {
  policy: Olmo2Model;
  /** The frozen reference (needed when beta > 0; used for the kl metric whenever present). */
  reference: Olmo2Model | null;
  optimizer: AdamW;
}

export interface UpdateMetrics {
  /** Optimizer steps taken (0 when no row carried a learning signal). */
  updates: number;
  loss: number;
  grad_norm: number;
  /** Response tokens that went through forward + backward, over all updates. */
  train_tokens: number;
  train_seconds: number;
  /** Other named numbers (clip fractions, kl, frac_reward_zero_std, value metrics). */
  extra: Record<string, number>;
}

/** Runs the update in place on `models.policy`; `lrFor(i)` is the learning rate of the i-th update of this call. */
export function grpoUpdate(
  models: GrpoModels,
  samples: readonly RolloutSample[],
  rewards: readonly number[],
  config: GrpoConfig,
  padId: number,
  lrFor: (update: number) => number,
): UpdateMetrics {
  const started = performance.now();
  const adv = groupAdvantages(rewards, { groupSize: config.numGenerations, scaleRewards: config.scaleRewards });
  const batch = responseBatch(samples, padId);
  const totalRows = batch.rows;
  const totalTokens = batch.responseMask.reduce((a, m) => a + m, 0);
  const zeroGroups = new Set(adv.zeroStdGroups);
  const needReference = config.beta > 0;
  const active = samples.map((_, i) => i).filter((i) => needReference || !zeroGroups.has(Math.floor(i / config.numGenerations)));
  const extra: Record<string, number> = { frac_reward_zero_std: adv.zeroStdGroups.length / adv.groupMean.length };
  if (active.length === 0) return { updates: 0, loss: 0, grad_norm: 0, train_tokens: 0, train_seconds: 0, extra };

  const micro = chunks(active, config.microBatches).map((rows) => {
    const part = pickRows(batch, rows);
    const t = part.responseLength;
    return {
      rows,
      batch: part,
      tokens: part.responseMask.reduce((a, m) => a + m, 0),
      mask: tf.tensor2d(part.responseMask, [rows.length, t]),
      advantages: tf.tensor1d(rows.map((r) => adv.advantages[r]!)),
      // Rollout-time quantities, computed once, outside any gradient tape.
      oldLogp: config.numIterations > 1 ? responseLogprobs(models.policy, part, config.temperature) : undefined,
      refLogp: models.reference ? responseLogprobs(models.reference, part, config.temperature) : undefined,
    };
  });
  const means = new WeightedMeans();
  let loss = 0;
  let gradNorm = 0;
  let trainTokens = 0;
  try {
    for (let it = 0; it < config.numIterations; it++) {
      const losses = micro.map((m) => () => {
        const logp = responseLogprobs(models.policy, m.batch, config.temperature);
        const out = policyLoss(
          { logp, oldLogp: m.oldLogp, refLogp: m.refLogp, advantages: m.advantages, mask: m.mask },
          {
            lossType: config.lossType,
            epsilonLow: config.epsilon,
            epsilonHigh: config.epsilonHigh ?? config.epsilon,
            beta: config.beta,
            klEstimator: config.klEstimator,
            maxCompletionLength: config.maxResponseLength,
            numItemsInBatch: totalTokens,
          },
        );
        const { loss: _unused, ...metrics } = policyLossMetrics(out);
        means.add(metrics, m.tokens);
        // The tape's scope frees `out` after the backward pass (its tensors are on the gradient path).
        return config.lossType === "dapo" ? out.loss : (tf.mul(out.loss, m.rows.length / totalRows) as tf.Scalar);
      });
      const step = optimizerStep(models.policy, models.optimizer, losses, lrFor(it), config.maxGradNorm, `grpo update ${it + 1}`);
      loss += step.loss / config.numIterations;
      gradNorm = step.gradNorm;
      trainTokens += micro.reduce((a, m) => a + m.tokens, 0);
    }
  } finally {
    for (const m of micro) tf.dispose([m.mask, m.advantages, ...(m.oldLogp ? [m.oldLogp] : []), ...(m.refLogp ? [m.refLogp] : [])]);
  }
  return {
    updates: config.numIterations,
    loss,
    grad_norm: gradNorm,
    train_tokens: trainTokens,
    train_seconds: (performance.now() - started) / 1000,
    extra: { ...extra, ...means.result() },
  };
}
