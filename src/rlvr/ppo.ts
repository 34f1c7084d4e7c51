/**
 * PPO as Tülu 3's RLVR ran it (hist open_instruct/ppo_vllm_thread_ray_gtrl.py; ANCHORS §2.9, §3): one sample
 * per prompt, a value model, the KL to the reference folded into the per-token reward (k1 · beta), the
 * verifier score on the last response token, GAE (gamma, lam) with whitened advantages, then num_ppo_epochs
 * optimizer steps of the clipped policy loss (token mean over the batch) and, on the value model,
 * vf_coef · the clipped value loss.
 *
 * The value model is a copy of the policy whose output row VALUE_ROW of lm_head is the value head:
 * V(s_t) = w·h_t with h_t the final-normed hidden state and w = lm_head.weight[VALUE_ROW] (initialised to 0,
 * so values start at 0; open-instruct starts from a reward model instead). The other lm_head rows are
 * unused and get no gradient. Olmo2Model does not expose its hidden states, so the head is read from the
 * logits; that is the same linear [hidden, 1] head, at the cost of computing the unused rows.
 *
 * Value alignment: V_t is read at the position whose logits predict response token t (OI's
 * `full_value[:, context_length − 1 : −1]`), the same slice as the log-probs.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Olmo2Model } from "../model/index.js";
import { tidyObject, type AdamW } from "../train/index.js";
import { gae, tokenRewards, valueLoss } from "./gae.js";
import { klPerToken } from "./kl.js";
import { policyLoss, policyLossMetrics } from "./policy-loss.js";
import { responseBatch, responseLogits, responseLogprobs, type ResponseBatch, type RolloutSample } from "./rollout.js";
import type { UpdateMetrics } from "./grpo.js";
import { chunks, optimizerStep, pickRows, rowsTensor, WeightedMeans } from "./update.js";

/** The lm_head row that serves as the value head. */
export const VALUE_ROW = 0;

/** A value model initialised from the policy: its own weights (untied), value head zeroed. */
export async function valueModelFrom(policy: Olmo2Model): Promise<Olmo2Model> {
  const tensors = await policy.toHostTensors();
  const d = policy.config.hidden_size;
  const head = tensors.get("lm_head.weight") ?? tensors.get("model.embed_tokens.weight")!;
  const data = new Float32Array(head.data);
  data.fill(0, VALUE_ROW * d, (VALUE_ROW + 1) * d);
  tensors.set("lm_head.weight", { shape: [...head.shape], data });
  return Olmo2Model.fromTensors({ ...policy.config, tie_word_embeddings: false }, tensors);
}

/** V_t for every response position, [B, T] (garbage at padding). Differentiable. */
export function responseValues(valueModel: Olmo2Model, batch: ResponseBatch): tf.Tensor2D {
  const [b, t] = [batch.rows, batch.responseLength];
  return responseLogits(valueModel, batch, 1, (logits) => tf.reshape(tf.slice(logits, [0, 0, VALUE_ROW], [b, t, 1]), [b, t]) as tf.Tensor2D);
}

export interface PpoConfig {
  temperature: number;
  epsilon: number;
  epsilonHigh: number | null;
  beta: number;
  gamma: number;
  lam: number;
  vfCoef: number;
  clipRangeValue: number;
  numPpoEpochs: number;
  microBatches: number;
  maxGradNorm: number;
}

export interface PpoModels {
  policy: Olmo2Model;
  /** Frozen reference; needed when beta > 0. */
  reference: Olmo2Model | null;
  value: Olmo2Model;
  policyOptimizer: AdamW;
  valueOptimizer: AdamW;
}

/** Runs num_ppo_epochs updates of policy and value in place; `scores` are the verifier rewards, one per sample. */
export function ppoUpdate(
  models: PpoModels,
  samples: readonly RolloutSample[],
  scores: readonly number[],
  config: PpoConfig,
  padId: number,
  lrFor: (update: number) => number,
): UpdateMetrics {
  const started = performance.now();
  const batch = responseBatch(samples, padId);
  const [b, t] = [batch.rows, batch.responseLength];
  const totalTokens = batch.responseMask.reduce((a, m) => a + m, 0);
  // Rollout-time quantities over the whole batch (GAE whitening is batch-wide), no gradient.
  const rollout = tidyObject(() => {
    const mask = tf.tensor2d(batch.responseMask, [b, t]);
    const oldLogp = responseLogprobs(models.policy, batch, config.temperature);
    const oldValues = tf.mul(responseValues(models.value, batch), mask) as tf.Tensor2D;
    const kl = models.reference ? (tf.mul(klPerToken(oldLogp, responseLogprobs(models.reference, batch, config.temperature), "k1"), mask) as tf.Tensor2D) : tf.zerosLike(mask);
    const rewards = tokenRewards(tf.tensor1d(Array.from(scores)), kl, mask, config.beta);
    const { advantages, returns } = gae(rewards, oldValues, mask, { gamma: config.gamma, lambda: config.lam });
    const host = (x: tf.Tensor) => x.dataSync() as Float32Array;
    const klSum = tf.sum(kl).dataSync()[0]!;
    return { oldLogp: host(oldLogp), oldValues: host(oldValues), advantages: host(advantages), returns: host(returns), klMean: models.reference ? klSum / Math.max(1, totalTokens) : null };
  });
  const micro = chunks(
    samples.map((_, i) => i),
    config.microBatches,
  ).map((rows) => {
    const part = pickRows(batch, rows);
    return {
      batch: part,
      tokens: part.responseMask.reduce((a, m) => a + m, 0),
      mask: tf.tensor2d(part.responseMask, [rows.length, t]),
      oldLogp: rowsTensor(rollout.oldLogp, t, rows),
      oldValues: rowsTensor(rollout.oldValues, t, rows),
      advantages: rowsTensor(rollout.advantages, t, rows),
      returns: rowsTensor(rollout.returns, t, rows),
    };
  });
  const means = new WeightedMeans();
  let loss = 0;
  let gradNorm = 0;
  try {
    for (let epoch = 0; epoch < config.numPpoEpochs; epoch++) {
      const policyLosses = micro.map((m) => () => {
        const logp = responseLogprobs(models.policy, m.batch, config.temperature);
        // Token mean over the whole batch: dapo's normaliser with the batch's token count (= bnpo on one batch).
        const out = policyLoss(
          { logp, oldLogp: m.oldLogp, advantages: m.advantages, mask: m.mask },
          { lossType: "dapo", epsilonLow: config.epsilon, epsilonHigh: config.epsilonHigh ?? config.epsilon, numItemsInBatch: totalTokens },
        );
        const { loss: _unused, ...metrics } = policyLossMetrics(out);
        means.add(metrics, m.tokens);
        return out.loss;
      });
      const valueLosses = micro.map((m) => () => {
        const v = valueLoss(responseValues(models.value, m.batch), m.oldValues, m.returns, m.mask, config.clipRangeValue);
        means.add({ value_loss: v.loss.dataSync()[0]!, "val/clipfrac": v.clipFraction.dataSync()[0]! }, m.tokens);
        return tf.mul(v.loss, (config.vfCoef * m.tokens) / Math.max(1, totalTokens)) as tf.Scalar;
      });
      const lr = lrFor(epoch);
      const step = optimizerStep(models.policy, models.policyOptimizer, policyLosses, lr, config.maxGradNorm, `ppo policy epoch ${epoch + 1}`);
      optimizerStep(models.value, models.valueOptimizer, valueLosses, lr, config.maxGradNorm, `ppo value epoch ${epoch + 1}`);
      loss += step.loss / config.numPpoEpochs;
      gradNorm = step.gradNorm;
    }
  } finally {
    for (const m of micro) tf.dispose([m.mask, m.oldLogp, m.oldValues, m.advantages, m.returns]);
  }
  const valueMean = rollout.oldValues.reduce((a, v) => a + v, 0) / Math.max(1, totalTokens);
  return {
    updates: config.numPpoEpochs,
    loss,
    grad_norm: gradNorm,
    train_tokens: totalTokens * config.numPpoEpochs,
    train_seconds: (performance.now() - started) / 1000,
    extra: { ...means.result(), ...(rollout.klMean === null ? {} : { kl: rollout.klMean }), value_mean: valueMean },
  };
}
