/** Shared fixtures for the DPO tests (not exported from the module's index). */
import { join } from "node:path";
import type { DpoStage, TrainingHost } from "../recipe/index.js";
import { MetricsWriter, Progress } from "../train/index.js";
import type { TokenizedPair } from "./data.js";

/** Pairs of different prompt and response lengths, so padding and the prompt/response boundary both vary. */
export const PAIRS: TokenizedPair[] = [
  { id: "a", chosen: { ids: [2, 13, 7, 9, 21, 22, 5], promptLength: 4 }, rejected: { ids: [2, 13, 7, 9, 30, 5], promptLength: 4 } },
  { id: "b", chosen: { ids: [2, 40, 41, 6], promptLength: 2 }, rejected: { ids: [2, 40, 44, 45, 46, 47, 48, 5], promptLength: 2 } },
  { id: "c", chosen: { ids: [2, 8, 8, 8, 8, 8, 11, 12], promptLength: 6 }, rejected: { ids: [2, 8, 8, 8, 8, 8, 19], promptLength: 6 } },
];


/** A dpo stage config with the schema's defaults, overridden for micro-model tests. */
export function dpoConfig(overrides: Partial<DpoStage> = {}): DpoStage {
  return {
    kind: "dpo",
    name: "dpo",
    from: null,
    data: [],
    eval_data: null,
    loss_type: "dpo_norm",
    beta: 5,
    label_smoothing: 0,
    simpo_gamma: 0.5,
    rpo_alpha: 0,
    epochs: 1,
    max_steps: null,
    batch_size: 8,
    max_length: 256,
    max_prompt_length: 128,
    precompute_ref_log_probs: true,
    eval_every: 50,
    lr: 5e-7,
    schedule: "linear",
    warmup_ratio: 0.1,
    min_lr_ratio: 0,
    weight_decay: 0,
    adam_beta1: 0.9,
    adam_beta2: 0.95,
    adam_epsilon: 1e-8,
    max_grad_norm: 1,
    gradient_accumulation_steps: 1,
    checkpoint_every: 50,
    data_seed: null,
    ...overrides,
  };
}

/** A training host that writes into `stageDir`, prints nothing, and hands log lines to `log`. */
export function quietHost(stageDir: string, resume = false, log: (line: string) => void = () => {}): TrainingHost {
  return {
    stageDir,
    resume,
    log,
    openMetrics: (after) => new MetricsWriter(join(stageDir, "metrics.jsonl"), { resumeAfterStep: after ?? 0 }),
    progress: (total) => new Progress({ total, label: "dpo", write: () => {}, isTTY: false }),
  };
}
