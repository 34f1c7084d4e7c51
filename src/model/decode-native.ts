/**
 * Olmo2Model.forwardCached through the native step (src/engine/native-decode.ts): the whole model for the new
 * tokens in one call, with the KV cache written in place. Returns null when that path cannot run (another backend,
 * no addon or native kernels unregistered, a cache that is rebuilt rather than written in place), and the caller
 * then runs the tfjs layers, which give the same logits up to float summation order (decode-native.test.ts).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type Olmo2StepLayer, nativeOlmo2Step, nativeOlmo2StepAvailable } from "../engine/index.js";
import { headDim } from "./config.js";
import type { CachedStep, Olmo2Model } from "./olmo2.js";

/** Logits [B, V] of the last new token of every row, or null (use the tfjs path). */
export function nativeForwardCached(model: Olmo2Model, ids: tf.Tensor2D, step: CachedStep): tf.Tensor2D | null {
  const { cache } = step;
  if (!cache.inPlace || !nativeOlmo2StepAvailable()) return null;
  const c = model.config;
  const [batch, tokens] = ids.shape;
  if (step.offset + tokens > cache.maxLen) throw new Error(`KV cache overflow: ${step.offset + tokens} positions, capacity ${cache.maxLen}`);
  const w = (name: string): tf.Tensor => {
    const v = model.weights.get(name);
    if (!v) throw new Error(`model has no tensor ${name}`);
    return v;
  };
  const layers: Olmo2StepLayer[] = [];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`;
    layers.push({
      qProj: w(p + "self_attn.q_proj.weight"),
      kProj: w(p + "self_attn.k_proj.weight"),
      vProj: w(p + "self_attn.v_proj.weight"),
      oProj: w(p + "self_attn.o_proj.weight"),
      qNorm: w(p + "self_attn.q_norm.weight"),
      kNorm: w(p + "self_attn.k_norm.weight"),
      postAttentionNorm: w(p + "post_attention_layernorm.weight"),
      postFeedforwardNorm: w(p + "post_feedforward_layernorm.weight"),
      gateProj: w(p + "mlp.gate_proj.weight"),
      upProj: w(p + "mlp.up_proj.weight"),
      downProj: w(p + "mlp.down_proj.weight"),
      keyCache: cache.keys[i]!,
      valueCache: cache.values[i]!,
    });
  }
  // One row of positions or key validity is shared by the whole batch (as ropeTables and causalMask broadcast it).
  const keyValid = new Uint8Array(batch * cache.maxLen);
  const positions = new Int32Array(batch * tokens);
  for (let r = 0; r < batch; r++) {
    const valid = step.keyValid[step.keyValid.length === 1 ? 0 : r]!;
    for (let j = 0; j < cache.maxLen; j++) keyValid[r * cache.maxLen + j] = valid[j] === 1 ? 1 : 0;
    positions.set(step.positions[step.positions.length === 1 ? 0 : r]!, r * tokens);
  }
  const idData = ids.dataSync();
  return nativeOlmo2Step(
    {
      batch, tokens, hidden: c.hidden_size, heads: c.num_attention_heads, kvHeads: c.num_key_value_heads,
      headDim: headDim(c), intermediate: c.intermediate_size, vocab: c.vocab_size, maxLen: cache.maxLen,
      offset: step.offset, eps: c.rms_norm_eps, ropeTheta: c.rope_theta,
    },
    {
      embed: w("model.embed_tokens.weight"),
      layers,
      finalNorm: w("model.norm.weight"),
      lmHead: w(c.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight"),
    },
    { ids: idData instanceof Int32Array ? idData : Int32Array.from(idData), positions, keyValid },
  );
}
