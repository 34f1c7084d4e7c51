/**
 * The checkpointed training driver every supervised stage (pretrain, anneal, sft; dpo may use it too) runs
 * under: AdamW from the stage's optimiser fields, the LR schedule, the shared train loop, a metrics row and a
 * progress update per step, a resumable checkpoint every `checkpoint_every` steps, and on --resume the
 * continuation from the last one. The stage supplies only its data cursor and its micro-batch loss.
 *
 * Exactness of resume: the data cursor is rebuilt from the saved position, weights and moments are restored
 * bit for bit, the model has no dropout, and the LR is a pure function of the step; so the steps after a
 * resume compute what an uninterrupted run computes.
 */
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import type { Olmo2Model } from "../model/index.js";
import {
  AdamW,
  lrAt,
  trainLoop,
  type MetricsWriter,
  type MicroBatchResult,
  type Progress,
} from "../train/index.js";
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from "./resume.js";
import type { OptimConfig } from "./types.js";

/** The part of a StageContext the driver uses (a StageContext fits it). */
export interface TrainingHost {
  stageDir: string;
  resume: boolean;
  log(line: string): void;
  openMetrics(resumeAfterStep?: number): MetricsWriter;
  progress(total: number): Progress;
}

/** A resumable stream of micro-batches. */
export interface DataCursor<B> {
  next(): B;
  /** JSON position such that `open(position)` continues with the batch `next()` would return now. */
  position(): unknown;
}

export interface TrainingOptions<B> {
  host: TrainingHost;
  model: Olmo2Model;
  optim: OptimConfig;
  /** Optimizer steps of the whole stage. */
  totalSteps: number;
  /** Opens the data stream at a saved position (null = the beginning). */
  openData(position: unknown): DataCursor<B>;
  /** Forward + backward of one micro-batch (see MicroBatchResult for the loss/weight contract). */
  microBatch(batch: B): MicroBatchResult;
}

/**
 * The gradients of a scalar loss with respect to every model weight, keyed by HF tensor name.
 * Returns the loss as a number; the caller disposes the gradients (the train loop does).
 */
export function lossAndGrads(model: Olmo2Model, loss: () => tf.Scalar): { loss: number; grads: Map<string, tf.Tensor> } {
  const names = new Map<string, string>();
  for (const [hfName, variable] of model.weights) names.set(variable.name, hfName);
  const { value, grads } = tf.variableGrads(loss, model.trainableVariables());
  const byName = new Map<string, tf.Tensor>();
  for (const [varName, grad] of Object.entries(grads)) byName.set(names.get(varName)!, grad);
  const lossValue = value.dataSync()[0]!;
  value.dispose();
  return { loss: lossValue, grads: byName };
}

/** Train `model` in place; returns the last step's loss. */
export async function trainWithCheckpoints<B>(o: TrainingOptions<B>): Promise<{ lastLoss: number }> {
  const { host, model, optim, totalSteps } = o;
  const checkpointDir = join(host.stageDir, "checkpoint");
  const optimizer = new AdamW(model.weights, {
    beta1: optim.adam_beta1,
    beta2: optim.adam_beta2,
    eps: optim.adam_epsilon,
    weightDecay: optim.weight_decay,
  });
  try {
    const restored = host.resume ? await loadTrainingCheckpoint(checkpointDir, model, optimizer) : null;
    const startStep = restored?.step ?? 0;
    if (restored) host.log(`resumed from ${checkpointDir} at step ${startStep}`);
    const metrics = host.openMetrics(startStep);
    const progress = host.progress(totalSteps);
    const cursor = o.openData(restored?.data ?? null);
    const schedule = {
      lr: optim.lr,
      totalSteps,
      kind: optim.schedule,
      warmupRatio: optim.warmup_ratio,
      ...(optim.schedule === "constant" ? {} : { minLrRatio: optim.min_lr_ratio }),
    };
    const { lastLoss } = await trainLoop({
      steps: totalSteps,
      startStep,
      microBatchesPerStep: optim.gradient_accumulation_steps,
      computeLossAndGrads: () => o.microBatch(cursor.next()),
      optimizer,
      schedule: (stepsDone) => lrAt(stepsDone, schedule),
      clip: optim.max_grad_norm > 0 ? optim.max_grad_norm : undefined,
      onStep: (info) => {
        metrics.append({
          step: info.step,
          loss: info.loss,
          lr: info.lr,
          grad_norm: info.gradNorm,
          tokens: info.tokens,
          tokens_per_s: info.tokensPerSecond,
        });
        progress.update({ step: info.step, loss: info.loss, tokens: info.tokens });
      },
      shouldCheckpoint: (step) => step % optim.checkpoint_every === 0 && step < totalSteps,
      checkpoint: async (step) => {
        await saveTrainingCheckpoint(checkpointDir, model, optimizer, { step, data: cursor.position() });
        host.log(`checkpoint at step ${step}`);
      },
    });
    progress.stop();
    return { lastLoss };
  } finally {
    optimizer.dispose();
  }
}
