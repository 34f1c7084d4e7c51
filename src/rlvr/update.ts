/**
 * Shared plumbing of the GRPO and PPO updates: row selection into micro-batches of a rollout batch, and one
 * optimizer step from a list of micro-batch losses (gradients summed, clipped by global norm, AdamW).
 *
 * Micro-batch losses are each their exact share of the step loss (the callers scale them by their rows or
 * tokens over the whole batch), so the step gradient is the plain sum: no division by the micro-batch count.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import type { Olmo2Model } from "../model/index.js";
import { lossAndGrads } from "../recipe/index.js";
import { clipByGlobalNorm, disposeNamed, globalNorm, GradientAccumulator, type AdamW } from "../train/index.js";
import type { ResponseBatch } from "./rollout.js";

/** The rows `indices` of a batch, same prompt and response widths. */
export function pickRows(batch: ResponseBatch, indices: readonly number[]): ResponseBatch {
  const width = batch.promptLength + batch.responseLength;
  const t = batch.responseLength;
  const ids = new Int32Array(indices.length * width);
  const attention = new Int32Array(indices.length * width);
  const responseMask = new Float32Array(indices.length * t);
  indices.forEach((row, k) => {
    if (!(row >= 0 && row < batch.rows)) throw new PosttrainError(`pickRows: row ${row} outside [0, ${batch.rows})`);
    ids.set(batch.ids.subarray(row * width, (row + 1) * width), k * width);
    attention.set(batch.attention.subarray(row * width, (row + 1) * width), k * width);
    responseMask.set(batch.responseMask.subarray(row * t, (row + 1) * t), k * t);
  });
  return { rows: indices.length, promptLength: batch.promptLength, responseLength: t, ids, attention, responseMask };
}

/** Rows of a [B, T] host array (row-major), for the `indices` rows, as a [indices.length, T] tensor. */
export function rowsTensor(values: Float32Array, width: number, indices: readonly number[]): tf.Tensor2D {
  const out = new Float32Array(indices.length * width);
  indices.forEach((row, k) => out.set(values.subarray(row * width, (row + 1) * width), k * width));
  return tf.tensor2d(out, [indices.length, width]);
}

/** `items` split into `parts` contiguous, nearly equal, non-empty chunks (fewer when there are fewer items). */
export function chunks<T>(items: readonly T[], parts: number): T[][] {
  const n = Math.max(1, Math.min(parts, items.length));
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n)));
  return out.filter((c) => c.length > 0);
}

export interface StepOutcome {
  /** Σ of the micro-batch losses: the step loss. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * One optimizer step of `model`: gradients of each micro-batch loss (built by `losses[i]()` under the tape),
 * summed, clipped to `maxGradNorm` (0 = no clipping), then AdamW at `lr`. A non-finite loss or norm stops
 * with an error before any weight changes.
 */
export function optimizerStep(
  model: Olmo2Model,
  optimizer: AdamW,
  losses: readonly (() => tf.Scalar)[],
  lr: number,
  maxGradNorm: number,
  what: string,
): StepOutcome {
  const accumulator = new GradientAccumulator();
  let loss = 0;
  try {
    for (const build of losses) {
      const out = lossAndGrads(model, build);
      try {
        accumulator.add(out.grads);
      } finally {
        disposeNamed(out.grads);
      }
      loss += out.loss;
    }
    const grads = accumulator.result(1);
    let update = grads;
    try {
      let gradNorm: number;
      if (maxGradNorm > 0) {
        const clipped = clipByGlobalNorm(grads, maxGradNorm);
        gradNorm = clipped.norm;
        update = clipped.grads;
      } else {
        gradNorm = globalNorm(grads);
      }
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        throw new PosttrainError(`${what}: loss ${loss}, gradient norm ${gradNorm}; stopping before the update`);
      }
      optimizer.step(update, lr);
      return { loss, gradNorm };
    } finally {
      disposeNamed(grads);
      if (update !== grads) disposeNamed(update);
    }
  } finally {
    accumulator.dispose();
  }
}

/** A running token- or row-weighted mean of named numbers (clip fractions, KL) over micro-batches. */
export class WeightedMeans {
  private sums = new Map<string, { total: number; weight: number }>();

  add(values: Record<string, number>, weight: number): void {
    for (const [key, value] of Object.entries(values)) {
      const s = this.sums.get(key) ?? { total: 0, weight: 0 };
      s.total += value * weight;
      s.weight += weight;
      this.sums.set(key, s);
    }
  }

  result(): Record<string, number> {
    return Object.fromEntries([...this.sums].map(([k, s]) => [k, s.weight > 0 ? s.total / s.weight : 0]));
  }
}
