/**
 * One DPO micro-batch: chosen and rejected through the policy in one [2B, T] forward pass, per-sequence sums
 * of response-token log-probs, the reference's sums for the same pairs, and the preference loss.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/index.js";
import { batchTokenLogprobs, type Olmo2Model } from "../model/index.js";
import { tidyObject } from "../train/index.js";
import { responseTokenCounts } from "./data.js";
import { dpoLoss, withChosenNll, type DpoLossOptions, type DpoLossOutput, type DpoLossType, type PreferenceLogps } from "./loss.js";

/** Per-pair summed response log-probs of one model: `chosen[i]`, `rejected[i]` for pair i. */
export interface PairLogps {
  chosen: number[];
  rejected: number[];
}

/** Σ_t log π(y_t | x, y_<t) over each row's response tokens: [R] for a batch of R rows. */
export function sequenceLogps(model: Olmo2Model, batch: Batch): tf.Tensor1D {
  return tf.tidy(() => {
    const { logprobs, mask } = batchTokenLogprobs(model, batch);
    return tf.sum(tf.mul(logprobs, mask), 1) as tf.Tensor1D;
  });
}

/** The per-pair sums of a [2B, T] pair batch as host numbers (no gradient). */
export function pairLogpsOf(model: Olmo2Model, batch: Batch): PairLogps {
  const sums = tf.tidy(() => sequenceLogps(model, batch));
  const values = Array.from(sums.dataSync());
  sums.dispose();
  const b = batch.batchSize / 2;
  return { chosen: values.slice(0, b), rejected: values.slice(b) };
}

export interface DpoStepConfig {
  lossType: DpoLossType;
  options: DpoLossOptions;
  /** RPO: weight of the chosen responses' NLL added to the loss (0 = plain preference loss). */
  rpoAlpha: number;
}

/**
 * The loss output of one micro-batch. `reference` holds the frozen model's sums for the same pairs (null for
 * the reference-free simpo). Token counts come from the batch's response mask. With `rpoAlpha` > 0 the
 * chosen responses' NLL is added (withChosenNll). Call inside a tidy or a
 * gradient tape, or dispose the output.
 */
export function dpoBatchLoss(model: Olmo2Model, batch: Batch, reference: PairLogps | null, config: DpoStepConfig): DpoLossOutput {
  return tidyObject(() => {
    const b = batch.batchSize / 2;
    const sums = sequenceLogps(model, batch);
    const counts = responseTokenCounts(batch);
    const logps: PreferenceLogps = {
      policyChosen: tf.slice(sums, [0], [b]),
      policyRejected: tf.slice(sums, [b], [b]),
      chosenTokens: counts.slice(0, b),
      rejectedTokens: counts.slice(b),
    };
    if (reference) {
      logps.referenceChosen = tf.tensor1d(reference.chosen);
      logps.referenceRejected = tf.tensor1d(reference.rejected);
    }
    const out = dpoLoss(config.lossType, logps, config.options);
    return config.rpoAlpha > 0 ? withChosenNll(out, logps.policyChosen, counts.slice(0, b), config.rpoAlpha) : out;
  });
}

/** Per-pair values of a loss output, read to the host: what step and eval metrics are averaged from. */
export interface PairStats {
  losses: number[];
  chosenRewards: number[];
  rejectedRewards: number[];
  chosenLogps: number[];
  rejectedLogps: number[];
}

export function pairStats(out: DpoLossOutput): PairStats {
  const read = (t: tf.Tensor) => Array.from(t.dataSync());
  return {
    losses: read(out.losses),
    chosenRewards: read(out.chosenRewards),
    rejectedRewards: read(out.rejectedRewards),
    chosenLogps: read(out.chosenLogps),
    rejectedLogps: read(out.rejectedLogps),
  };
}

/**
 * Means over every pair seen (all micro-batches of a step, or a whole eval set) under TRL's names, optionally
 * prefixed (`eval/`). Same definitions as dpoMetrics in loss.ts, pooled over pairs rather than per batch.
 */
export class PairStatsAccumulator {
  private all: PairStats = { losses: [], chosenRewards: [], rejectedRewards: [], chosenLogps: [], rejectedLogps: [] };

  add(stats: PairStats): void {
    for (const key of Object.keys(this.all) as (keyof PairStats)[]) this.all[key].push(...stats[key]);
  }

  get pairs(): number {
    return this.all.losses.length;
  }

  /** The means, then empties the accumulator; {} when nothing was added. */
  flush(prefix = ""): Record<string, number> {
    const a = this.all;
    const n = a.losses.length;
    if (n === 0) return {};
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / n;
    const margins = a.chosenRewards.map((c, i) => c - a.rejectedRewards[i]!);
    const metrics = {
      [`${prefix}loss`]: mean(a.losses),
      [`${prefix}rewards/chosen`]: mean(a.chosenRewards),
      [`${prefix}rewards/rejected`]: mean(a.rejectedRewards),
      [`${prefix}rewards/accuracies`]: mean(margins.map((m) => (m > 0 ? 1 : 0))),
      [`${prefix}rewards/margins`]: mean(margins),
      [`${prefix}logps/chosen`]: mean(a.chosenLogps),
      [`${prefix}logps/rejected`]: mean(a.rejectedLogps),
    };
    this.all = { losses: [], chosenRewards: [], rejectedRewards: [], chosenLogps: [], rejectedLogps: [] };
    return metrics;
  }
}
