/** Shared fixtures for the DPO tests (not exported from the module's index). */
import { join } from "node:path";
import { stageWithDefaults, type DpoStage, type TrainingHost } from "../recipe/index.js";
import { MetricsWriter, Progress } from "../train/index.js";
import type { TokenizedPair } from "./data.js";

/** Pairs of different prompt and response lengths, so padding and the prompt/response boundary both vary. */
export const PAIRS: TokenizedPair[] = [
  { id: "a", chosen: { ids: [2, 13, 7, 9, 21, 22, 5], promptLength: 4 }, rejected: { ids: [2, 13, 7, 9, 30, 5], promptLength: 4 } },
  { id: "b", chosen: { ids: [2, 40, 41, 6], promptLength: 2 }, rejected: { ids: [2, 40, 44, 45, 46, 47, 48, 5], promptLength: 2 } },
  { id: "c", chosen: { ids: [2, 8, 8, 8, 8, 8, 11, 12], promptLength: 6 }, rejected: { ids: [2, 8, 8, 8, 8, 8, 19], promptLength: 6 } },
];


/**
 * A dpo stage config with the schema's defaults, overridden for micro-model tests. The data file is never read:
 * the tests hand tokenized pairs to the trainer directly.
 */
export function dpoConfig(overrides: Partial<DpoStage> = {}): DpoStage {
  return stageWithDefaults("dpo", { data: ["unused.jsonl"], ...overrides });
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
