/**
 * Rollouts: `numGenerations` samples per prompt at a temperature, all prompts of a step batched through
 * generate() with the KV cache, up to `maxResponseLength` new tokens, stopping at EOS. Samples come out in
 * TRL's `repeat_interleave` layout (the G samples of prompt 0, then those of prompt 1, ...), which is the
 * layout groupAdvantages expects.
 *
 * Log-probs. generate() returns log p of each sampled token under the *un-tempered* logits. The losses use
 * log-probs of the tempered distribution, softmax(logits / T), as TRL does (`logits /= self.temperature` in
 * `_get_per_token_logps_and_entropies`) for the policy, the old policy and the reference alike. So the
 * "old" log-probs of the PPO ratio are never taken from generate(): they are recomputed with a forward pass
 * over the rollout batch at the same temperature (see responseLogprobs), which makes the first update's ratio
 * exactly 1 and keeps numerator and denominator the same quantity. The generation log-probs are kept for
 * the entropy metric only.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import { generate, tokenLogprobs, type FinishReason, type Olmo2Model } from "../model/index.js";
import type { Rng } from "../rng.js";

export interface RolloutSample {
  /** Index of the prompt in the step's prompt list (samples of one prompt are consecutive). */
  promptIndex: number;
  promptIds: number[];
  /** New tokens, including the EOS that ended the response (if it did). */
  responseIds: number[];
  /** log p(token) under the policy's un-tempered logits, one per response token (from generate). */
  sampleLogprobs: number[];
  finishReason: FinishReason;
}

export interface RolloutOptions {
  numGenerations: number;
  temperature: number;
  maxResponseLength: number;
  /** Stop token id (the tokenizer's EOS). */
  eosId: number;
  /** The run's sampling generator, advanced in place (its state goes into checkpoints). */
  rng: Rng;
  /** Rows per generate() call (default: all rows at once). */
  chunkRows?: number;
}

export interface RolloutResult {
  samples: RolloutSample[];
  /** Response tokens generated. */
  tokens: number;
  seconds: number;
}

/** Sample `numGenerations` responses for each prompt. */
export async function rollout(model: Olmo2Model, prompts: readonly number[][], options: RolloutOptions): Promise<RolloutResult> {
  const g = options.numGenerations;
  if (!(Number.isInteger(g) && g >= 1)) throw new PosttrainError(`rollout: numGenerations must be an integer >= 1, got ${g}`);
  if (!(options.temperature > 0)) throw new PosttrainError(`rollout: temperature must be > 0, got ${options.temperature}`);
  const rows = prompts.flatMap((p, i) => Array.from({ length: g }, () => ({ promptIndex: i, promptIds: p })));
  const chunk = Math.max(1, options.chunkRows ?? rows.length);
  const started = performance.now();
  const samples: RolloutSample[] = [];
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const out = await generate(
      model,
      part.map((r) => r.promptIds),
      { maxNewTokens: options.maxResponseLength, temperature: options.temperature, rng: options.rng, eosTokenId: options.eosId },
    );
    part.forEach((r, i) =>
      samples.push({ ...r, responseIds: out.outputIds[i]!, sampleLogprobs: out.logprobs[i]!, finishReason: out.finishReasons[i]! }),
    );
  }
  const tokens = samples.reduce((n, s) => n + s.responseIds.length, 0);
  return { samples, tokens, seconds: (performance.now() - started) / 1000 };
}

/**
 * Prompt + response rows as one [B, P + T] batch: prompts left-padded to the longest (P), responses
 * right-padded to the longest (T), so response token j of every row sits at column P + j and its
 * log-prob comes from the logits at column P + j − 1.
 */
export interface ResponseBatch {
  rows: number;
  promptLength: number;
  responseLength: number;
  /** [B, P + T] int32, row-major. */
  ids: Int32Array;
  /** [B, P + T], 1 on real prompt and response tokens. */
  attention: Int32Array;
  /** [B, T], 1 on response tokens (the EOS that ended a response included). */
  responseMask: Float32Array;
}

export function responseBatch(samples: readonly Pick<RolloutSample, "promptIds" | "responseIds">[], padId: number): ResponseBatch {
  if (samples.length === 0) throw new PosttrainError("responseBatch: no samples");
  const p = Math.max(...samples.map((s) => s.promptIds.length));
  const t = Math.max(1, ...samples.map((s) => s.responseIds.length));
  const width = p + t;
  const ids = new Int32Array(samples.length * width).fill(padId);
  const attention = new Int32Array(samples.length * width);
  const responseMask = new Float32Array(samples.length * t);
  samples.forEach((s, b) => {
    const left = p - s.promptIds.length;
    s.promptIds.forEach((id, j) => {
      ids[b * width + left + j] = id;
      attention[b * width + left + j] = 1;
    });
    s.responseIds.forEach((id, j) => {
      ids[b * width + p + j] = id;
      attention[b * width + p + j] = 1;
      responseMask[b * t + j] = 1;
    });
  });
  return { rows: samples.length, promptLength: p, responseLength: t, ids, attention, responseMask };
}

/**
 * log softmax(logits / temperature) of each response token, [B, T] (garbage at padding: mask it).
 * One forward pass over columns 0 .. P + T − 2; RoPE positions follow the attention mask, so a left-padded
 * row scores exactly as it was sampled. Differentiable with respect to the model's weights.
 */
export function responseLogprobs(model: Olmo2Model, batch: ResponseBatch, temperature: number): tf.Tensor2D {
  return tf.tidy(() => responseLogits(model, batch, temperature, (logits, targets) => tokenLogprobs(logits, targets)));
}

/** The logits that predict each response token, [B, T, V], divided by `temperature`, handed to `read`. */
export function responseLogits<R extends tf.Tensor>(
  model: Olmo2Model,
  batch: ResponseBatch,
  temperature: number,
  read: (logits: tf.Tensor3D, targets: tf.Tensor2D) => R,
): R {
  const { rows: b, promptLength: p, responseLength: t } = batch;
  const width = p + t;
  return tf.tidy(() => {
    const ids = tf.tensor2d(batch.ids, [b, width], "int32");
    const attention = tf.tensor2d(batch.attention, [b, width], "int32");
    const inputs = tf.slice(ids, [0, 0], [b, width - 1]);
    const logits = model.forward(inputs, { attentionMask: tf.slice(attention, [0, 0], [b, width - 1]) });
    const predicting = tf.slice(logits, [0, p - 1, 0], [b, t, -1]);
    const scaled = temperature === 1 ? predicting : tf.div(predicting, temperature);
    return read(scaled as tf.Tensor3D, tf.slice(ids, [0, p], [b, t]));
  });
}

