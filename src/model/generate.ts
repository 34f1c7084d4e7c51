/**
 * Autoregressive generation with a preallocated KV cache: one prefill pass over the (left-padded)
 * prompts, then one token per step for the whole batch. Rows of different lengths get their own RoPE
 * positions (0 at their first real token) and a key mask hiding the padding, so a row generates exactly
 * what it would alone.
 */
import * as tf from "@tensorflow/tfjs-core";
import { nativeRowStats } from "../engine/index.js";
import { Rng } from "../rng.js";
import { eosIds, headDim } from "./config.js";
import { KVCache } from "./kv-cache.js";
import type { Olmo2Model } from "./olmo2.js";
import { chooseToken } from "./sampling.js";

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topK?: number;
  topP?: number;
  /** Seed for sampling (ignored when `rng` is given; default 0). */
  seed?: number;
  /** A caller-owned generator, advanced in place (for resumable runs). */
  rng?: Rng;
  /** Stop ids; default the config's eos_token_id. Pass [] to never stop on EOS. */
  eosTokenId?: number | number[];
  /** Stop once the decoded output contains one of these (needs `decode`). */
  stopStrings?: string[];
  decode?: (ids: number[]) => string;
  /** Called for each generated token, as it is chosen. */
  onToken?: (row: number, id: number) => void;
}

export type FinishReason = "eos" | "stop" | "length";

export interface GenerateResult {
  /** New tokens per prompt (an EOS that ended a row is included). */
  outputIds: number[][];
  /** Natural-log probability of each output token under the model, before temperature. */
  logprobs: number[][];
  finishReasons: FinishReason[];
}

export async function generate(model: Olmo2Model, prompts: number[][], opts: GenerateOptions): Promise<GenerateResult> {
  const config = model.config;
  const batch = prompts.length;
  const v = config.vocab_size;
  if (batch === 0) return { outputIds: [], logprobs: [], finishReasons: [] };
  prompts.forEach((p, r) => {
    if (p.length === 0) throw new Error(`prompt ${r} is empty`);
    for (const id of p) if (!Number.isInteger(id) || id < 0 || id >= v) throw new Error(`prompt ${r} has token id ${id}, outside [0, ${v})`);
  });
  if (opts.stopStrings?.length && !opts.decode) throw new Error("stopStrings need a decode function");
  const stopIds = new Set(opts.eosTokenId === undefined ? eosIds(config) : ([] as number[]).concat(opts.eosTokenId));
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const maxNew = Math.max(0, Math.floor(opts.maxNewTokens));
  const result: GenerateResult = { outputIds: prompts.map(() => []), logprobs: prompts.map(() => []), finishReasons: prompts.map(() => "length") };
  if (maxNew === 0) return result;

  const promptLen = Math.max(...prompts.map((p) => p.length));
  const capacity = promptLen + maxNew;
  const pad = config.pad_token_id ?? 0;
  const padding = prompts.map((p) => promptLen - p.length);
  const keyValid = prompts.map((_, r) => {
    const valid = new Uint8Array(capacity);
    valid.fill(1, padding[r]!, promptLen);
    return valid;
  });
  const cache = new KVCache(config.num_hidden_layers, batch, config.num_key_value_heads, capacity, headDim(config));
  const done = prompts.map(() => false);
  try {
    const ids = prompts.map((p, r) => [...new Array<number>(padding[r]!).fill(pad), ...p]);
    const positions = padding.map((n) => Array.from({ length: promptLen }, (_, j) => Math.max(0, j - n)));
    let logits = tf.tidy(() => model.forwardCached(tf.tensor2d(ids, [batch, promptLen], "int32"), { cache, offset: 0, positions, keyValid }));
    const greedy = !(opts.temperature > 0);
    for (let step = 0; step < maxNew; step++) {
      const choice = await chooseTokens(logits, greedy, (row) => chooseToken(row, opts, rng));
      logits.dispose();
      const next = new Array<number>(batch).fill(pad);
      for (let r = 0; r < batch; r++) {
        if (done[r]) continue;
        const { id, logprob } = choice(r);
        next[r] = id;
        result.outputIds[r]!.push(id);
        result.logprobs[r]!.push(logprob);
        opts.onToken?.(r, id);
        if (stopIds.has(id)) finish(r, "eos");
        else if (opts.stopStrings?.length && hitsStop(opts.decode!(result.outputIds[r]!), opts.stopStrings)) finish(r, "stop");
      }
      if (done.every(Boolean) || step === maxNew - 1) break;
      const slot = promptLen + step;
      for (const valid of keyValid) valid[slot] = 1;
      const stepPositions = prompts.map((p) => [p.length + step]);
      logits = tf.tidy(() => model.forwardCached(tf.tensor2d(next, [batch, 1], "int32"), { cache, offset: slot, positions: stepPositions, keyValid }));
    }
  } finally {
    cache.dispose();
  }
  return result;

  function finish(row: number, reason: FinishReason): void {
    done[row] = true;
    result.finishReasons[row] = reason;
  }
}

/**
 * The token of each row of logits [B, V] and its log-prob (before temperature), as a function of the row. The
 * normalisers log(sum(exp(row))) are vectorised: natively where the wasm heap holds the logits (greedy decoding
 * then takes the argmax there too and never copies the logits out), else on the backend (in JavaScript, one exp per
 * vocabulary entry per row costs more than a whole decoding step of the tiny preset). Rows are chosen in order.
 */
async function chooseTokens(
  logits: tf.Tensor2D, greedy: boolean, choose: (row: Float32Array) => number,
): Promise<(row: number) => { id: number; logprob: number }> {
  const stats = nativeRowStats(logits, greedy);
  if (stats?.argmax && stats.top) {
    const { argmax, top, logSumExp } = stats;
    return (r) => ({ id: argmax[r]!, logprob: top[r]! - logSumExp[r]! });
  }
  const v = logits.shape[1];
  const host = (await logits.data()) as Float32Array;
  let lse = stats?.logSumExp;
  if (!lse) {
    const normalisers = tf.tidy(() => tf.logSumExp(logits, 1));
    lse = normalisers.dataSync() as Float32Array;
    normalisers.dispose();
  }
  const normaliser = lse;
  return (r) => {
    const row = host.subarray(r * v, (r + 1) * v);
    const id = choose(row);
    return { id, logprob: row[id]! - normaliser[r]! };
  };
}

function hitsStop(text: string, stops: string[]): boolean {
  return stops.some((s) => s.length > 0 && text.includes(s));
}
