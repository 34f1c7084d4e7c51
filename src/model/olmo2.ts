/**
 * The OLMo-2 decoder (HF `Olmo2ForCausalLM`), weights held as tf.Variables under HF tensor names.
 *
 * Per layer (post-norm inside the residual, no input norm):
 *   h   = x + post_attention_layernorm(attn(x))
 *   out = h + post_feedforward_layernorm(mlp(h))
 * attn: q = q_norm(q_proj(x)), k = k_norm(k_proj(x)) (RMSNorm over the whole projection, before the
 * head split), RoPE on q and k, causal GQA softmax(q k^T / sqrt(hd)) v, o_proj. Then model.norm and
 * lm_head (the embedding matrix when tie_word_embeddings).
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../rng.js";
import { type Olmo2Config, headDim, validateConfig } from "./config.js";
import { KVCache } from "./kv-cache.js";
import { checkpointed, mergeHeads, toHeads } from "./fused.js";
import { nativeForwardCached } from "./decode-native.js";
import { causalMask, groupedAttention, linear, rmsNorm, ropeTables, swiGluMlp } from "./layers.js";

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export interface ForwardOptions {
  /** [B, T], 1 = real token, 0 = padding: padded keys are masked out. */
  attentionMask?: tf.Tensor2D;
  /**
   * [B, T] RoPE positions. Default: with an attentionMask, each row counts its real tokens from 0
   * (max(0, cumsum(mask) - 1), as HF's generate does), so left-padded rows score exactly as unpadded ones;
   * without one, 0..T-1.
   */
  positionIds?: tf.Tensor2D;
  /**
   * Under a gradient tape, recompute each layer in the backward pass instead of keeping its activations:
   * training memory drops to the layer inputs plus one layer's worth, for about a third more compute.
   */
  checkpoint?: boolean;
}

/** Inputs of one cached step (used by generation). */
export interface CachedStep {
  cache: KVCache;
  /** Cache slot of the first new token. */
  offset: number;
  /** Per row, the RoPE positions of the new tokens. */
  positions: number[][];
  /** Per row, which cache slots (0..maxLen-1) hold real tokens (1) once this step is written. */
  keyValid: ArrayLike<number>[];
}

/** HF tensor names with shapes, in checkpoint order. */
export function tensorShapes(config: Olmo2Config): Map<string, number[]> {
  const d = config.hidden_size;
  const hd = headDim(config);
  const q = config.num_attention_heads * hd;
  const kv = config.num_key_value_heads * hd;
  const m = config.intermediate_size;
  const shapes = new Map<string, number[]>([["model.embed_tokens.weight", [config.vocab_size, d]]]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`;
    shapes.set(p + "self_attn.q_proj.weight", [q, d]);
    shapes.set(p + "self_attn.k_proj.weight", [kv, d]);
    shapes.set(p + "self_attn.v_proj.weight", [kv, d]);
    shapes.set(p + "self_attn.o_proj.weight", [d, q]);
    shapes.set(p + "self_attn.q_norm.weight", [q]);
    shapes.set(p + "self_attn.k_norm.weight", [kv]);
    shapes.set(p + "post_attention_layernorm.weight", [d]);
    shapes.set(p + "post_feedforward_layernorm.weight", [d]);
    shapes.set(p + "mlp.gate_proj.weight", [m, d]);
    shapes.set(p + "mlp.up_proj.weight", [m, d]);
    shapes.set(p + "mlp.down_proj.weight", [d, m]);
  }
  shapes.set("model.norm.weight", [d]);
  if (!config.tie_word_embeddings) shapes.set("lm_head.weight", [config.vocab_size, d]);
  return shapes;
}

function isNormWeight(name: string): boolean {
  return name.endsWith("norm.weight");
}

export class Olmo2Model {
  private constructor(
    readonly config: Olmo2Config,
    readonly weights: Map<string, tf.Variable>,
  ) {}

  /** HF init: Linear/Embedding ~ N(0, initializer_range), the pad_token_id embedding row zeroed, norms 1. */
  static init(config: Olmo2Config, seed: number): Olmo2Model {
    validateConfig(config);
    const rng = new Rng(seed);
    const std = config.initializer_range;
    const tensors = new Map<string, HostTensor>();
    for (const [name, shape] of tensorShapes(config)) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      if (isNormWeight(name)) data.fill(1);
      else for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      tensors.set(name, { shape, data });
    }
    const pad = config.pad_token_id;
    if (pad !== null && pad >= 0 && pad < config.vocab_size) {
      const d = config.hidden_size;
      tensors.get("model.embed_tokens.weight")!.data.fill(0, pad * d, (pad + 1) * d);
    }
    return Olmo2Model.fromTensors(config, tensors);
  }

  /**
   * Builds a model from host tensors named as in HF. Throws an Error naming the tensor when one is
   * missing or has the wrong shape. With tied embeddings a present lm_head.weight is ignored (HF ties).
   */
  static fromTensors(config: Olmo2Config, tensors: Map<string, HostTensor>): Olmo2Model {
    validateConfig(config);
    const weights = new Map<string, tf.Variable>();
    for (const [name, shape] of tensorShapes(config)) {
      const t = tensors.get(name);
      if (!t) throw new Error(`tensor ${name} is missing`);
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        throw new Error(`tensor ${name} has shape [${t.shape}], expected [${shape}]`);
      }
      const value = tf.tensor(t.data, shape, "float32");
      weights.set(name, tf.variable(value, true));
      value.dispose(); // the variable holds its own reference to the data
    }
    return new Olmo2Model(config, weights);
  }

  /** HF tensor names, in the order of trainableVariables(). */
  names(): string[] {
    return [...this.weights.keys()];
  }

  trainableVariables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  private w<R extends tf.Rank>(name: string): tf.Tensor<R> {
    const v = this.weights.get(name);
    if (!v) throw new Error(`model has no tensor ${name}`);
    return v as unknown as tf.Tensor<R>;
  }

  /** ids [B, T] int32 -> logits [B, T, V] float32. */
  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = ids.shape;
      const hidden = this.hidden(ids, this.uncachedContext(b, t, opts));
      return tf.reshape(this.lmHead(hidden), [b, t, this.config.vocab_size]);
    });
  }

  /**
   * One cached step: runs ids [B, t] at cache slots step.offset.. and returns the logits of the last
   * position of every row, [B, V]. Used by generation (prefill, then one token at a time). On wasm with
   * the native kernels, the whole step is one native call (decode-native.ts); otherwise the tfjs layers.
   */
  forwardCached(ids: tf.Tensor2D, step: CachedStep): tf.Tensor2D {
    const native = nativeForwardCached(this, ids, step);
    if (native) return native;
    return tf.tidy(() => {
      const [b, t] = ids.shape;
      const rope = ropeTables(step.positions, headDim(this.config), this.config.rope_theta);
      const mask = causalMask(t, step.cache.maxLen, step.offset, step.keyValid);
      const hidden = this.hidden(ids, { ...rope, mask, cache: step.cache, offset: step.offset });
      const last = tf.reshape(tf.slice(tf.reshape(hidden, [b, t, -1]), [0, t - 1, 0], [b, 1, -1]), [b, -1]) as tf.Tensor2D;
      return this.lmHead(last);
    });
  }

  private uncachedContext(b: number, t: number, opts: ForwardOptions): LayerContext {
    const keyValid = opts.attentionMask?.arraySync();
    if (keyValid && (keyValid.length !== b || keyValid[0]!.length !== t)) throw new Error(`attentionMask has shape [${opts.attentionMask!.shape}], ids have [${b}, ${t}]`);
    let positions: number[][];
    if (opts.positionIds) {
      positions = opts.positionIds.arraySync();
    } else if (keyValid) {
      positions = keyValid.map((row) => {
        let seen = 0;
        return row.map((m) => Math.max(0, (seen += m) - 1));
      });
    } else {
      positions = [Array.from({ length: t }, (_, i) => i)];
    }
    const rope = ropeTables(positions, headDim(this.config), this.config.rope_theta);
    return { ...rope, mask: causalMask(t, t, 0, keyValid), offset: 0, checkpoint: opts.checkpoint === true };
  }

  /** Final-normed hidden states [B*T, D]. */
  private hidden(ids: tf.Tensor2D, ctx: LayerContext): tf.Tensor2D {
    const c = this.config;
    const [b, t] = ids.shape;
    let x = tf.reshape(tf.gather(this.w<tf.Rank.R2>("model.embed_tokens.weight"), tf.reshape(ids, [-1])), [b * t, c.hidden_size]) as tf.Tensor2D;
    for (let i = 0; i < c.num_hidden_layers; i++) {
      const input = x;
      if (ctx.checkpoint && tf.engine().isTapeOn()) {
        const params = this.names().filter((n) => n.startsWith(`model.layers.${i}.`)).map((n) => this.weights.get(n)!);
        x = checkpointed((h, [cos, sin, mask]) => this.layer(i, h, b, t, { ...ctx, cos: cos as tf.Tensor4D, sin: sin as tf.Tensor4D, mask: mask as tf.Tensor4D }), input, params, [ctx.cos, ctx.sin, ctx.mask]);
      } else {
        // One tidy per layer: its intermediates are freed as soon as the layer is done (autodiff keeps its
        // own references to what the backward pass needs), so peak memory is one layer's, not the model's.
        x = tf.tidy(() => this.layer(i, input, b, t, ctx));
      }
    }
    return rmsNorm(x, this.w("model.norm.weight"), c.rms_norm_eps);
  }

  /** Decoder layer i: x + post_attention_layernorm(attn(x)), then h + post_feedforward_layernorm(mlp(h)). */
  private layer(i: number, x: tf.Tensor2D, b: number, t: number, ctx: LayerContext): tf.Tensor2D {
    const c = this.config;
    const p = `model.layers.${i}.`;
    const attn = this.attention(x, b, t, i, ctx);
    const h: tf.Tensor2D = tf.add(x, rmsNorm(attn, this.w(p + "post_attention_layernorm.weight"), c.rms_norm_eps));
    const mlp = swiGluMlp(h, this.w(p + "mlp.gate_proj.weight"), this.w(p + "mlp.up_proj.weight"), this.w(p + "mlp.down_proj.weight"));
    return tf.add(h, rmsNorm(mlp, this.w(p + "post_feedforward_layernorm.weight"), c.rms_norm_eps));
  }

  /** x [B*T, D] -> attention output after o_proj [B*T, D]. */
  private attention(x: tf.Tensor2D, b: number, t: number, layer: number, ctx: LayerContext): tf.Tensor2D {
    const c = this.config;
    const hd = headDim(c);
    const heads = c.num_attention_heads;
    const kvHeads = c.num_key_value_heads;
    const p = `model.layers.${layer}.self_attn.`;
    const q = rmsNorm(linear(x, this.w(p + "q_proj.weight")), this.w(p + "q_norm.weight"), c.rms_norm_eps);
    const k = rmsNorm(linear(x, this.w(p + "k_proj.weight")), this.w(p + "k_norm.weight"), c.rms_norm_eps);
    const v = linear(x, this.w(p + "v_proj.weight"));
    // [B*T, heads*hd] -> RoPE -> [B, heads, T, hd], q also scaled by hd^-0.5 (one fused kernel each on wasm)
    const rope = { cos: ctx.cos, sin: ctx.sin };
    const qh = toHeads(q, b, heads, rope, 1 / Math.sqrt(hd));
    let kh = toHeads(k, b, kvHeads, rope);
    let vh = toHeads(v, b, kvHeads, null);
    if (ctx.cache) ({ k: kh, v: vh } = ctx.cache.write(layer, kh, vh, ctx.offset));
    const out = groupedAttention(qh, kh, vh, ctx.mask);
    return linear(mergeHeads(out), this.w(p + "o_proj.weight"));
  }

  /** hidden [N, D] -> logits [N, V] through lm_head (or the tied embedding). */
  private lmHead(hidden: tf.Tensor2D): tf.Tensor2D {
    const name = this.config.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight";
    return linear(hidden, this.w(name));
  }

  /** A deep copy with its own variables (e.g. a frozen reference model for DPO). */
  clone(): Olmo2Model {
    const weights = new Map<string, tf.Variable>();
    for (const [name, v] of this.weights) weights.set(name, tf.variable(v, v.trainable)); // shares data until either side is assigned
    return new Olmo2Model({ ...this.config }, weights);
  }

  /** Weights copied to host memory (for checkpoints). */
  async toHostTensors(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [name, v] of this.weights) out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    return out;
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
  }
}

interface LayerContext {
  checkpoint?: boolean;
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  mask: tf.Tensor4D;
  cache?: KVCache;
  offset: number;
}
