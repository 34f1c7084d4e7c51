/**
 * Trainer state beside a checkpoint, so training resumes exactly where it stopped:
 * `trainer_state.json` (step, RNG state, data position, free-form fields) and `optimizer-<step>.safetensors`
 * (optimizer moments by name, e.g. "m.<param>" / "v.<param>"). The tensors are written first and the JSON
 * (which names the tensor file) last, so a crash in between leaves the previous, consistent pair in place;
 * older optimizer files are removed only after the JSON is written.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { CheckpointError } from "../errors.js";
import type { RngState } from "../rng.js";
import { atomicWrite } from "./atomic.js";
import { type NamedTensor, readSafetensors, writeSafetensors } from "./safetensors.js";

export const TRAINER_STATE_FILE = "trainer_state.json";
const OPTIMIZER_PATTERN = /^optimizer-\d+\.safetensors$/;

export function optimizerFileName(step: number): string {
  return `optimizer-${step}.safetensors`;
}

export interface TrainerState {
  /** Optimizer steps taken. */
  step: number;
  /** Optimizer tensors by name (float32). */
  optimizer?: Map<string, NamedTensor>;
  /** State of the run's seeded Rng (src/rng.ts). */
  rng?: RngState;
  /** Where the data loader stands (epoch, index, shuffle order seed, ...). */
  dataPosition?: unknown;
  /** Anything else the trainer wants back (scheduler, best loss, config hash, ...). */
  extra?: Record<string, unknown>;
}

export async function saveTrainerState(dir: string, state: TrainerState): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const hasOptimizer = state.optimizer !== undefined && state.optimizer.size > 0;
  const optimizerFile = hasOptimizer ? optimizerFileName(state.step) : null;
  if (optimizerFile) await writeSafetensors(path.join(dir, optimizerFile), state.optimizer!, { metadata: { format: "posttrain", step: String(state.step) } });
  const json = { step: state.step, rng: state.rng ?? null, data_position: state.dataPosition ?? null, extra: state.extra ?? {}, optimizer_file: optimizerFile };
  await atomicWrite(path.join(dir, TRAINER_STATE_FILE), JSON.stringify(json, null, 2) + "\n");
  for (const name of await fs.readdir(dir)) {
    if (OPTIMIZER_PATTERN.test(name) && name !== optimizerFile) await fs.rm(path.join(dir, name), { force: true });
  }
}

/** The saved state, or null when the folder has no trainer_state.json. */
export async function loadTrainerState(dir: string): Promise<TrainerState | null> {
  const file = path.join(dir, TRAINER_STATE_FILE);
  if (!existsSync(file)) return null;
  let json: { step?: unknown; rng?: RngState | null; data_position?: unknown; extra?: Record<string, unknown>; optimizer_file?: string | null };
  try {
    json = JSON.parse(await fs.readFile(file, "utf8"));
  } catch (err) {
    throw new CheckpointError(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json.step !== "number" || !Number.isInteger(json.step) || json.step < 0) throw new CheckpointError(file, `field step must be a non-negative integer, got ${JSON.stringify(json.step)}`);
  const state: TrainerState = { step: json.step, extra: json.extra ?? {} };
  if (json.rng) state.rng = json.rng;
  if (json.data_position !== null && json.data_position !== undefined) state.dataPosition = json.data_position;
  if (json.optimizer_file) {
    const optFile = path.join(dir, json.optimizer_file);
    const { tensors, metadata } = await readSafetensors(optFile);
    if (metadata["step"] !== undefined && metadata["step"] !== String(json.step)) {
      throw new CheckpointError(optFile, `holds step ${metadata["step"]} but ${TRAINER_STATE_FILE} says step ${json.step}`);
    }
    state.optimizer = tensors;
  }
  return state;
}
