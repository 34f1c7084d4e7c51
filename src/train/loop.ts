import type * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import type { AdamW } from "./adamw.js";
import { clipByGlobalNorm, globalNorm, GradientAccumulator } from "./gradients.js";
import { disposeNamed, type NamedTensors } from "./tensors.js";

/** What one micro-batch contributes. */
export interface MicroBatchResult {
  /** The micro-batch loss as a number (for logging). */
  loss: number;
  /** Gradients of that loss, keyed like the optimizer's parameters. The loop disposes them. */
  grads: NamedTensors;
  /**
   * How many normalisation units `loss` and `grads` are summed over (default 1). The step's gradient is
   * Σ grads / Σ weight and the logged loss Σ loss / Σ weight. Return *sum* losses with weight = label tokens
   * for TRL's token-exact normalisation across accumulation; return *mean* losses with weight 1 for HF's
   * average of micro-batch means.
   */
  weight?: number;
  /** Tokens processed (for tokens/s). */
  tokens?: number;
}

export interface StepInfo {
  /** Optimizer steps completed, 1-based (HF `global_step` after the update). */
  step: number;
  loss: number;
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  tokens: number;
  tokensPerSecond: number;
}

export interface TrainLoopOptions {
  /** Total optimizer steps of the run. */
  steps: number;
  /** Steps already done (when resuming); the loop runs steps startStep+1 .. steps. Default 0. */
  startStep?: number;
  microBatchesPerStep: number;
  /** Forward + backward of micro-batch `micro` (0-based) of optimizer step `step` (1-based). */
  computeLossAndGrads: (step: number, micro: number) => MicroBatchResult | Promise<MicroBatchResult>;
  optimizer: AdamW;
  /** Learning rate for the update after `stepsDone` completed steps (e.g. `(s) => lrAt(s, opts)`). */
  schedule: (stepsDone: number) => number;
  /** Max global gradient norm; omit for no clipping. */
  clip?: number;
  onStep?: (info: StepInfo) => void | Promise<void>;
  shouldCheckpoint?: (step: number) => boolean;
  checkpoint?: (step: number) => void | Promise<void>;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

/**
 * The plain loop every supervised stage shares: accumulate micro-batch gradients, normalise, clip, AdamW
 * update at the scheduled LR, report, checkpoint. A non-finite loss or gradient norm stops the run with an
 * error naming the step rather than writing NaN weights.
 */
export async function trainLoop(options: TrainLoopOptions): Promise<{ lastStep: number; lastLoss: number }> {
  const { steps, microBatchesPerStep, optimizer, schedule } = options;
  const startStep = options.startStep ?? 0;
  const now = options.now ?? (() => Date.now());
  if (!(Number.isInteger(microBatchesPerStep) && microBatchesPerStep > 0)) {
    throw new PosttrainError(`trainLoop: microBatchesPerStep must be an integer > 0, got ${microBatchesPerStep}`);
  }
  let lastLoss = NaN;
  const accumulator = new GradientAccumulator();
  try {
    for (let step = startStep + 1; step <= steps; step++) {
      const startedAt = now();
      let lossSum = 0;
      let weightSum = 0;
      let tokens = 0;
      for (let micro = 0; micro < microBatchesPerStep; micro++) {
        const result = await options.computeLossAndGrads(step, micro);
        try {
          accumulator.add(result.grads);
        } finally {
          disposeNamed(result.grads);
        }
        lossSum += result.loss;
        weightSum += result.weight ?? 1;
        tokens += result.tokens ?? 0;
      }
      if (!(weightSum > 0)) throw new PosttrainError(`trainLoop: step ${step}: micro-batch weights sum to ${weightSum}`);
      lastLoss = lossSum / weightSum;
      const grads = accumulator.result(1 / weightSum);
      let gradNorm: number;
      let update: Map<string, tf.Tensor> = grads;
      try {
        if (options.clip !== undefined) {
          const clipped = clipByGlobalNorm(grads, options.clip);
          gradNorm = clipped.norm;
          update = clipped.grads;
        } else {
          gradNorm = globalNorm(grads);
        }
        if (!Number.isFinite(lastLoss) || !Number.isFinite(gradNorm)) {
          throw new PosttrainError(`trainLoop: step ${step}: loss ${lastLoss}, gradient norm ${gradNorm}; stopping before the update`);
        }
        const lr = schedule(step - 1);
        optimizer.step(update, lr);
        const seconds = Math.max(1e-9, (now() - startedAt) / 1000);
        await options.onStep?.({ step, loss: lastLoss, lr, gradNorm, tokens, tokensPerSecond: tokens / seconds });
      } finally {
        disposeNamed(grads);
        if (update !== grads) disposeNamed(update);
      }
      if (options.checkpoint && (options.shouldCheckpoint?.(step) ?? false)) await options.checkpoint(step);
    }
  } finally {
    accumulator.dispose();
  }
  return { lastStep: steps, lastLoss };
}
