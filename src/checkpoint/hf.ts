/**
 * Hugging Face model folders: config.json, model.safetensors (or a sharded model.safetensors.index.json),
 * generation_config.json, and the tokenizer files when a tokenizer is given.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { CheckpointError } from "../errors.js";
import { type HostTensor, Olmo2Model, tensorShapes } from "../model/index.js";
import { atomicWrite } from "./atomic.js";
import { configFromHF, configToHF, generationConfigFor } from "./hf-config.js";
import { type NamedTensor, type SafetensorsDtype, readSafetensors, writeSafetensors } from "./safetensors.js";

export interface SaveModelOptions {
  /** Weight dtype in model.safetensors (default F32). */
  dtype?: "F32" | "BF16";
  /** Saved into the same folder (tokenizer.json etc.). */
  tokenizer?: { save(dir: string): Promise<void> };
  /** Extra generation_config.json fields (e.g. temperature, max_new_tokens). */
  generationConfig?: Record<string, unknown>;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new CheckpointError(file, `cannot read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(file, `not valid JSON: ${(err as Error).message}`);
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await atomicWrite(file, JSON.stringify(value, null, 2) + "\n");
}

/** Writes an HF-format folder. Weights go in first, config.json last, each file atomically. */
export async function saveModel(dir: string, model: Olmo2Model, opts: SaveModelOptions = {}): Promise<void> {
  const dtype: SafetensorsDtype = opts.dtype ?? "F32";
  await fs.mkdir(dir, { recursive: true });
  const tensors = await model.toHostTensors();
  await writeSafetensors(path.join(dir, "model.safetensors"), tensors, { dtype, metadata: { format: "pt" } });
  await writeJson(path.join(dir, "generation_config.json"), generationConfigFor(model.config, opts.generationConfig));
  if (opts.tokenizer) await opts.tokenizer.save(dir);
  await writeJson(path.join(dir, "config.json"), configToHF(model.config, dtype === "BF16" ? "bfloat16" : "float32"));
}

/** All tensors of the folder's weights, from one file or a sharded index; each with the file it came from. */
async function readWeights(dir: string): Promise<Map<string, NamedTensor & { file: string }>> {
  const single = path.join(dir, "model.safetensors");
  const index = path.join(dir, "model.safetensors.index.json");
  const files: string[] = [];
  if (existsSync(single)) files.push(single);
  else if (existsSync(index)) {
    const map = (await readJson(index))["weight_map"] as Record<string, string> | undefined;
    if (!map) throw new CheckpointError(index, "field weight_map is missing");
    files.push(...[...new Set(Object.values(map))].sort().map((f) => path.join(dir, f)));
  } else {
    throw new CheckpointError(single, "missing (no model.safetensors or model.safetensors.index.json in the folder)");
  }
  const out = new Map<string, NamedTensor & { file: string }>();
  for (const file of files) {
    for (const [name, t] of (await readSafetensors(file)).tensors) out.set(name, { ...t, file });
  }
  return out;
}

/** Loads any HF-format Olmo2 folder (F32, F16 or BF16 weights) into a float32 model. */
export async function loadModel(dir: string): Promise<Olmo2Model> {
  const configFile = path.join(dir, "config.json");
  const config = configFromHF(await readJson(configFile), configFile);
  const tensors = await readWeights(dir);
  const weightsFile = tensors.values().next().value?.file ?? path.join(dir, "model.safetensors");
  const expected = tensorShapes(config);
  const host = new Map<string, HostTensor>();
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(weightsFile, `tensor ${name} is missing (config.json expects [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new CheckpointError(t.file, `tensor ${name} has shape [${t.shape}], config.json expects [${shape}]`);
    }
    host.set(name, t);
  }
  for (const [name, t] of tensors) {
    const ignorable = name.endsWith("rotary_emb.inv_freq") || (config.tie_word_embeddings && name === "lm_head.weight");
    if (!expected.has(name) && !ignorable) throw new CheckpointError(t.file, `unexpected tensor ${name} (not part of Olmo2ForCausalLM with this config.json)`);
  }
  return Olmo2Model.fromTensors(config, host);
}
