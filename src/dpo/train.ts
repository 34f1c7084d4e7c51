/**
 * DPO training on tokenized pairs under the shared checkpointed driver (src/recipe/training.ts): the policy is
 * the only model the optimizer sees; the reference is either precomputed numbers or a second, frozen model
 * that is only ever run forward. Every step's row in metrics.jsonl carries TRL's DPO metrics pooled over the
 * step's pairs, and every `eval_every` steps (and at the last step) the same metrics on the held-out pairs
 * with the `eval/` prefix.
 */
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import type { Olmo2Model } from "../model/index.js";
import { lossAndGrads, trainWithCheckpoints, type DpoStage, type TrainingHost } from "../recipe/index.js";
import { MetricsWriter, type MetricsRow } from "../train/index.js";
import { dpoTotalSteps, inOrder, pairCursor, type PairMicroBatch, type TokenizedPair } from "./data.js";
import { disposeDpoOutput } from "./loss.js";
import type { ReferenceLogps } from "./reference.js";
import { dpoBatchLoss, pairLogpsOf, pairStats, PairStatsAccumulator, type DpoStepConfig, type PairLogps } from "./step.js";

/** Where the reference log-probs come from. */
export type ReferenceSource =
  /** simpo: reference-free. */
  | { kind: "none" }
  /** Precomputed once (reference.ts), indexed by pair. */
  | { kind: "cached"; logps: ReferenceLogps }
  /** `precompute_ref_log_probs: false`: the frozen model, run forward on each batch. */
  | { kind: "live"; model: Olmo2Model };

function referenceFor(source: ReferenceSource, split: "train" | "eval", micro: PairMicroBatch): PairLogps | null {
  switch (source.kind) {
    case "none":
      return null;
    case "cached": {
      const all = source.logps[split];
      return { chosen: micro.indices.map((i) => all.chosen[i]!), rejected: micro.indices.map((i) => all.rejected[i]!) };
    }
    case "live":
      return pairLogpsOf(source.model, micro.batch);
  }
}

export function stepConfigOf(config: DpoStage): DpoStepConfig {
  return {
    lossType: config.loss_type,
    options: { beta: config.beta, labelSmoothing: config.label_smoothing, simpoGamma: config.simpo_gamma },
    rpoAlpha: config.rpo_alpha,
  };
}

/** TRL's DPO metrics over every held-out pair, prefixed `eval/` (no gradient; the policy is unchanged). */
export function evaluatePairs(
  policy: Olmo2Model,
  pairs: readonly TokenizedPair[],
  reference: ReferenceSource,
  config: DpoStage,
  padId: number,
): Record<string, number> {
  const stats = new PairStatsAccumulator();
  for (const micro of inOrder(pairs, config.batch_size, padId)) {
    const out = dpoBatchLoss(policy, micro.batch, referenceFor(reference, "eval", micro), stepConfigOf(config));
    stats.add(pairStats(out));
    disposeDpoOutput(out);
  }
  return stats.flush("eval/");
}

/**
 * A metrics writer that adds columns to each row the driver writes: the driver owns the step loop and its
 * row (loss, lr, grad_norm, tokens), and has no other per-step hook.
 */
class ExtraColumnsWriter extends MetricsWriter {
  constructor(
    file: string,
    resumeAfterStep: number,
    private readonly columns: (step: number) => Record<string, number>,
  ) {
    super(file, { resumeAfterStep });
  }

  override append(row: MetricsRow): void {
    super.append({ ...row, ...this.columns(row.step) });
  }
}

export interface DpoTrainOptions {
  host: TrainingHost;
  policy: Olmo2Model;
  reference: ReferenceSource;
  pairs: readonly TokenizedPair[];
  evalPairs: readonly TokenizedPair[];
  config: DpoStage;
  padId: number;
  dataSeed: number;
}

export interface DpoTrainResult {
  steps: number;
  /** The last step's train metrics (TRL names) and, when there is held-out data, the last eval metrics. */
  train: Record<string, number>;
  eval: Record<string, number>;
}

/** Train the policy in place. */
export async function trainDpo(o: DpoTrainOptions): Promise<DpoTrainResult> {
  const { config, policy } = o;
  const totalSteps = dpoTotalSteps(o.pairs.length, config);
  const stepConfig = stepConfigOf(config);
  const stepStats = new PairStatsAccumulator();
  let lastTrain: Record<string, number> = {};
  let lastEval: Record<string, number> = {};
  let writer: ExtraColumnsWriter | null = null;
  const columns = (step: number): Record<string, number> => {
    lastTrain = stepStats.flush();
    const evalDue = o.evalPairs.length > 0 && (step % config.eval_every === 0 || step === totalSteps);
    if (evalDue) lastEval = evaluatePairs(policy, o.evalPairs, o.reference, config, o.padId);
    return { ...lastTrain, ...(evalDue ? lastEval : {}) };
  };
  const host: TrainingHost = {
    stageDir: o.host.stageDir,
    resume: o.host.resume,
    log: (line) => o.host.log(line),
    progress: (total) => o.host.progress(total),
    openMetrics(resumeAfterStep) {
      writer?.close();
      writer = new ExtraColumnsWriter(join(o.host.stageDir, "metrics.jsonl"), resumeAfterStep ?? 0, columns);
      return writer;
    },
  };
  try {
    await trainWithCheckpoints({
      host,
      model: policy,
      optim: config,
      totalSteps,
      openData: (position) => pairCursor(o.pairs, { batchSize: config.batch_size, seed: o.dataSeed, padId: o.padId, start: position }),
      microBatch: (micro) => {
        const reference = referenceFor(o.reference, "train", micro);
        const pairs = micro.indices.length;
        const { loss, grads } = lossAndGrads(policy, () => {
          const out = dpoBatchLoss(policy, micro.batch, reference, stepConfig);
          stepStats.add(pairStats(out));
          // The sum over pairs, weighted by the pair count: the step loss is the mean over all its pairs.
          return tf.sum(out.losses) as tf.Scalar;
        });
        return { loss, grads, weight: pairs, tokens: micro.batch.attentionMask.reduce((n, m) => n + m, 0) };
      },
    });
  } finally {
    (writer as ExtraColumnsWriter | null)?.close();
  }
  return { steps: totalSteps, train: lastTrain, eval: lastEval };
}
