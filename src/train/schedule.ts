import { PosttrainError } from "../errors.js";

export type ScheduleKind = "constant" | "linear" | "cosine";

export interface ScheduleOptions {
  /** Peak learning rate. */
  lr: number;
  /** Optimizer steps in the whole run (HF `num_training_steps`). */
  totalSteps: number;
  kind: ScheduleKind;
  /** Warmup length in steps; give this or `warmupRatio` (neither = no warmup). */
  warmupSteps?: number;
  /** Warmup as a fraction of totalSteps: warmupSteps = ceil(totalSteps · ratio), as HF `get_warmup_steps`. */
  warmupRatio?: number;
  /**
   * Floor of the decay as a fraction of `lr` (HF `cosine_with_min_lr` `min_lr_rate`, open-instruct
   * `final_lr_ratio`; default 0). Only linear and cosine decay; > 0 with constant is an error.
   */
  minLrRatio?: number;
}

/**
 * Learning rate for the update that follows `step` completed optimizer steps (step = 0 for the first update),
 * with the semantics of HF `LambdaLR` schedules stepped after each optimizer step, so the first update of a
 * warmed-up run uses lr 0, exactly as in HF:
 *
 *   warmup   (step < W):  lr · step / max(1, W)
 *   constant:             lr                                    (get_constant_schedule_with_warmup)
 *   linear:               lr · max(0, (N − step) / max(1, N − W))   (get_linear_schedule_with_warmup)
 *   cosine:               lr · 0.5 · (1 + cos(π · p)),  p = (step − W) / max(1, N − W)
 *                                                          (get_cosine_schedule_with_warmup, num_cycles 0.5)
 *
 * With `minLrRatio` = r the decay becomes r + (1 − r) · decay (HF `get_cosine_with_min_lr_schedule_with_warmup`;
 * the same floor for linear). Past N the rate stays at its final value (p is clamped to 1, which HF's cosine
 * does not do; HF never steps past N).
 */
export function lrAt(step: number, options: ScheduleOptions): number {
  const { lr, totalSteps, kind } = options;
  const warmup = warmupStepsOf(options);
  const minRatio = options.minLrRatio ?? 0;
  if (!Number.isInteger(step) || step < 0) throw new PosttrainError(`lrAt: step must be an integer >= 0, got ${step}`);
  if (step < warmup) return (lr * step) / Math.max(1, warmup);
  if (kind === "constant") return lr;
  const decaySteps = Math.max(1, totalSteps - warmup);
  const progress = Math.min(1, (step - warmup) / decaySteps);
  const decay = kind === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return lr * (minRatio + (1 - minRatio) * Math.max(0, decay));
}

/** Warmup length in steps after validating the options (throws a PosttrainError naming the bad field). */
export function warmupStepsOf(options: ScheduleOptions): number {
  const { lr, totalSteps, kind, warmupSteps, warmupRatio, minLrRatio } = options;
  const bad = (field: string, problem: string): never => {
    throw new PosttrainError(`LR schedule: ${field} ${problem}`);
  };
  if (!(Number.isFinite(lr) && lr >= 0)) bad("lr", `must be finite and >= 0, got ${lr}`);
  if (!(Number.isInteger(totalSteps) && totalSteps > 0)) bad("totalSteps", `must be an integer > 0, got ${totalSteps}`);
  if (!["constant", "linear", "cosine"].includes(kind)) bad("kind", `must be constant, linear or cosine, got ${kind}`);
  if (warmupSteps !== undefined && warmupRatio !== undefined) bad("warmupSteps", "and warmupRatio are exclusive");
  if (minLrRatio !== undefined) {
    if (kind === "constant" && minLrRatio > 0) bad("minLrRatio", "only applies to linear and cosine decay");
    if (!(minLrRatio >= 0 && minLrRatio <= 1)) bad("minLrRatio", `must be in [0, 1], got ${minLrRatio}`);
  }
  if (warmupSteps !== undefined) {
    if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) bad("warmupSteps", `must be an integer >= 0, got ${warmupSteps}`);
    return warmupSteps;
  }
  if (warmupRatio !== undefined) {
    if (!(warmupRatio >= 0 && warmupRatio <= 1)) bad("warmupRatio", `must be in [0, 1], got ${warmupRatio}`);
    return Math.ceil(totalSteps * warmupRatio);
  }
  return 0;
}
