/**
 * The frozen reference model's log-probs. DPO needs logp_ref(y) for every pair, and the reference never
 * changes, so (as open-instruct's dpo_tune_cache.py does) they are computed once before training with the
 * reference loaded alone, and stored in the stage folder; training then holds only the policy.
 *
 * The cache is keyed by a SHA-256 of everything the numbers depend on: the data files' contents, the
 * reference weights and config, the tokenizer and chat template, and the truncation lengths. It stores
 * per-pair *sums* and the loss functions derive per-token averages from the batch's token counts, so unlike
 * open-instruct's cache it stays valid when only `loss_type` changes. A resumed or rerun stage with the same
 * inputs reuses it; any changed input misses and recomputes.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Olmo2Model } from "../model/index.js";
import { sha256File, writeJsonAtomic } from "../recipe/index.js";
import { inOrder, type TokenizedPair } from "./data.js";
import { pairLogpsOf, type PairLogps } from "./step.js";

export const REFERENCE_CACHE_FILE = "ref-logprobs.json";
const CACHE_VERSION = 1;

/** What the reference log-probs depend on. */
export interface ReferenceKeyInputs {
  /** Training preference files, then held-out ones (order matters: it is the pair order). */
  dataFiles: string[];
  evalFiles: string[];
  /** The reference model folder (its config.json and *.safetensors are hashed). */
  modelDir: string;
  /** The tokenizer folder (tokenizer.json and tokenizer_config.json, which holds the chat template). */
  tokenizerDir: string;
  maxLength: number;
  maxPromptLength: number;
}

/** The cache key and the hashes it was made from (stored beside the numbers, for a human to compare). */
export async function referenceCacheKey(inputs: ReferenceKeyInputs): Promise<{ key: string; parts: Record<string, unknown> }> {
  const hashAll = async (files: string[]) => Promise.all(files.map((f) => sha256File(f)));
  const filesIn = (dir: string, keep: (name: string) => boolean) =>
    readdirSync(dir)
      .filter(keep)
      .sort()
      .map((name) => join(dir, name));
  const modelFiles = filesIn(inputs.modelDir, (n) => n === "config.json" || n.endsWith(".safetensors"));
  const tokenizerFiles = filesIn(inputs.tokenizerDir, (n) => n === "tokenizer.json" || n === "tokenizer_config.json");
  const parts = {
    data: await hashAll(inputs.dataFiles),
    eval_data: await hashAll(inputs.evalFiles),
    model: await hashAll(modelFiles),
    tokenizer: await hashAll(tokenizerFiles),
    max_length: inputs.maxLength,
    max_prompt_length: inputs.maxPromptLength,
  };
  const key = createHash("sha256").update(JSON.stringify({ version: CACHE_VERSION, ...parts })).digest("hex");
  return { key, parts };
}

/** Summed response log-probs of every pair, in order, under `model` (no gradient). */
export function computePairLogps(model: Olmo2Model, pairs: readonly TokenizedPair[], batchSize: number, padId: number): PairLogps {
  const all: PairLogps = { chosen: [], rejected: [] };
  for (const { batch } of inOrder(pairs, batchSize, padId)) {
    const got = pairLogpsOf(model, batch);
    all.chosen.push(...got.chosen);
    all.rejected.push(...got.rejected);
  }
  return all;
}

/** The reference log-probs of the training and held-out pairs. */
export interface ReferenceLogps {
  train: PairLogps;
  eval: PairLogps;
}

interface CacheFile extends ReferenceLogps {
  version: number;
  key: string;
  parts: Record<string, unknown>;
}

/**
 * The cached reference log-probs when `file` holds ones for `key` and the expected pair counts; otherwise
 * `compute()` (which loads the reference, runs it and frees it), written to `file` atomically.
 */
export async function cachedReferenceLogps(o: {
  file: string;
  key: string;
  parts: Record<string, unknown>;
  counts: { train: number; eval: number };
  compute: () => Promise<ReferenceLogps>;
}): Promise<{ logps: ReferenceLogps; hit: boolean }> {
  const cached = readCache(o.file);
  if (cached && cached.key === o.key && fits(cached.train, o.counts.train) && fits(cached.eval, o.counts.eval)) {
    return { logps: { train: cached.train, eval: cached.eval }, hit: true };
  }
  const logps = await o.compute();
  const file: CacheFile = { version: CACHE_VERSION, key: o.key, parts: o.parts, ...logps };
  writeJsonAtomic(o.file, file);
  return { logps, hit: false };
}

function fits(logps: PairLogps | undefined, n: number): boolean {
  return logps !== undefined && logps.chosen.length === n && logps.rejected.length === n;
}

/** A readable cache of this version, or null (missing, torn or older files are recomputed, not errors). */
function readCache(file: string): CacheFile | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
    return parsed.version === CACHE_VERSION ? parsed : null;
  } catch {
    return null;
  }
}
