/**
 * Resumable training checkpoints for every training stage: the model weights (float32, bit-exact), the
 * AdamW moments, and a small JSON trainer state (step, data position, RNG state, anything else the stage
 * needs to continue exactly). Written into a temporary folder and swapped in with renames, so a `kill -9`
 * at any moment leaves either the previous checkpoint or the new one, never a half-written one:
 *
 *   write dir.tmp/  ->  rename dir -> dir.old  ->  rename dir.tmp -> dir  ->  remove dir.old
 *
 * A reader that finds no `dir` but a `dir.old` (killed between the two renames) uses `dir.old`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError } from "../errors.js";
import { readSafetensors, writeSafetensors } from "../checkpoint/index.js";
import type { HostTensor, Olmo2Model } from "../model/index.js";
import type { AdamW } from "../train/index.js";
import * as tf from "@tensorflow/tfjs-core";

/** What a stage needs besides weights and moments to continue exactly where it stopped. */
export interface TrainerState {
  /** Optimizer steps completed. */
  step: number;
  /** Where the data stream continues (stage-specific, JSON). */
  data: unknown;
  /** Stage-specific extras (RNG state, running statistics), JSON. */
  extra?: Record<string, unknown>;
}

const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";
const STATE_FILE = "trainer_state.json";

/** The checkpoint folder to read, or null when there is none. */
function readableDir(dir: string): string | null {
  if (existsSync(join(dir, STATE_FILE))) return dir;
  if (existsSync(join(`${dir}.old`, STATE_FILE))) return `${dir}.old`;
  return null;
}

export function hasTrainingCheckpoint(dir: string): boolean {
  return readableDir(dir) !== null;
}

/** Save model weights, optimizer moments and trainer state into `dir`, atomically. */
export async function saveTrainingCheckpoint(
  dir: string,
  model: Olmo2Model,
  optimizer: AdamW,
  state: TrainerState,
): Promise<void> {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeSafetensors(join(tmp, MODEL_FILE), await model.toHostTensors());
  const optimizerState = optimizer.exportState();
  await writeSafetensors(join(tmp, OPTIMIZER_FILE), new Map(Object.entries(optimizerState.tensors)));
  const json = { ...state, optimizer_step: optimizerState.step };
  writeFileSync(join(tmp, STATE_FILE), JSON.stringify(json, null, 2) + "\n");
  rmSync(`${dir}.old`, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, `${dir}.old`);
  renameSync(tmp, dir);
  rmSync(`${dir}.old`, { recursive: true, force: true });
}

/**
 * Restore `model` and `optimizer` in place from the checkpoint in `dir`; returns the trainer state, or null
 * when there is no checkpoint. Tensor names and shapes must match the model (CheckpointError otherwise).
 */
export async function loadTrainingCheckpoint(
  dir: string,
  model: Olmo2Model,
  optimizer: AdamW,
): Promise<TrainerState | null> {
  const from = readableDir(dir);
  if (from === null) return null;
  const state = JSON.parse(readFileSync(join(from, STATE_FILE), "utf8")) as TrainerState & { optimizer_step: number };
  const weights = (await readSafetensors(join(from, MODEL_FILE))).tensors;
  assignWeights(model, weights, join(from, MODEL_FILE));
  const moments = (await readSafetensors(join(from, OPTIMIZER_FILE))).tensors;
  optimizer.importState({ step: state.optimizer_step, tensors: Object.fromEntries(moments) });
  return { step: state.step, data: state.data, extra: state.extra };
}

/** Copy host tensors into the model's variables (same names and shapes). */
export function assignWeights(model: Olmo2Model, tensors: Map<string, HostTensor>, file: string): void {
  for (const [name, variable] of model.weights) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(file, `tensor ${name} is missing`);
    if (t.shape.join(",") !== variable.shape.join(",")) {
      throw new CheckpointError(file, `tensor ${name} has shape [${t.shape}], the model has [${variable.shape}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(t.data, t.shape, "float32")));
  }
}
