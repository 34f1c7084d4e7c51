/**
 * The OLMo-2 building blocks as pure tensor functions (shapes in the comments). Semantics follow HF
 * `modeling_olmo2.py`: RMSNorm in float32, RoPE in the rotate-half convention, grouped-query attention,
 * SwiGLU MLP, no biases. Linear weights keep HF's [out, in] layout, so every projection is
 * `x @ W^T` (matMul with transposeB) and checkpoints load by straight copy.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedKernelsActive } from "../engine/index.js";
import { applyRope, fusedSelfAttention, maskedSoftmax, rmsNorm, swiGlu } from "./fused.js";

export { applyRope, rmsNorm };

/** Additive mask value for disallowed keys: finite, so a row with every key masked stays NaN-free. */
export const MASKED = -1e9;

/** y = x @ W^T for x [N, in], W [out, in] -> [N, out]. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, weight, false, true);
}

/** SwiGLU MLP: down(silu(gate(x)) * up(x)), silu(g) = g * sigmoid(g). x [N, D] -> [N, D]. */
export function swiGluMlp(x: tf.Tensor2D, gate: tf.Tensor2D, up: tf.Tensor2D, down: tf.Tensor2D): tf.Tensor2D {
  return linear(swiGlu(linear(x, gate), linear(x, up)), down);
}

/**
 * RoPE tables for integer positions, HF default rope: inv_freq[i] = 1 / theta^(2i / hd) (float32, as
 * torch computes it), angle = pos * inv_freq, emb = [angles, angles] (rotate-half layout).
 * positions: rows of equal length T (one row shared by the batch, or one per batch row).
 * Returns cos, sin of shape [rows, T, 1, hd], broadcasting over heads of a [B, T, H, hd] tensor.
 */
export function ropeTables(positions: number[][], hd: number, theta: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const half = hd / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / hd)));
  const rows = positions.length;
  const t = positions[0]?.length ?? 0;
  const cos = new Float32Array(rows * t * hd);
  const sin = new Float32Array(rows * t * hd);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < t; j++) {
      const pos = positions[r]![j]!;
      const base = (r * t + j) * hd;
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(pos * invFreq[i]!);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[base + i] = c;
        cos[base + half + i] = c;
        sin[base + i] = s;
        sin[base + half + i] = s;
      }
    }
  }
  return { cos: tf.tensor4d(cos, [rows, t, 1, hd]), sin: tf.tensor4d(sin, [rows, t, 1, hd]) };
}

/**
 * Scaled dot-product attention with grouped-query heads, without repeating K/V (over the whole sequence, keys =
 * queries, and with the fused kernels active: one native kernel each way, fusedSelfAttention): query head h uses kv
 * head floor(h / rep), so heads group contiguously and q [B, H, T, hd] reshapes to [B, KV, rep*T, hd].
 * q [B, H, T, hd] (already scaled by hd^-0.5), k/v [B, KV, S, hd], mask additive [B|1, 1, T, S].
 * Returns [B, H, T, hd].
 */
export function groupedAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  const [b, h, t, hd] = q.shape;
  const kvHeads = k.shape[1];
  const s = k.shape[2];
  const maskFits = mask.shape[1] === 1 && (mask.shape[0] === 1 || mask.shape[0] === b) && mask.shape[2] === t && mask.shape[3] === s;
  if (s === t && h % kvHeads === 0 && maskFits && fusedKernelsActive()) return fusedSelfAttention(q, k, v, mask);
  const grouped = tf.reshape(q, [b, kvHeads, (h / kvHeads) * t, hd]);
  const scores: tf.Tensor4D = tf.reshape(tf.matMul(grouped, k, false, true), [b, h, t, s]);
  const probs = maskedSoftmax(scores, mask);
  const out = tf.matMul(tf.reshape(probs, [b, kvHeads, (h / kvHeads) * t, s]), v);
  return tf.reshape(out, [b, h, t, hd]);
}

/**
 * Additive causal mask [B|1, 1, T, S] for T queries at cache slots offset..offset+T-1 over S key slots:
 * key j is visible to query i if j <= offset + i and keyValid[b][j] (when given; 1 = real token).
 */
export function causalMask(t: number, s: number, offset: number, keyValid?: ArrayLike<number>[]): tf.Tensor4D {
  const rows = keyValid ? keyValid.length : 1;
  const data = new Float32Array(rows * t * s);
  for (let r = 0; r < rows; r++) {
    const valid = keyValid?.[r];
    for (let i = 0; i < t; i++) {
      const base = (r * t + i) * s;
      for (let j = 0; j < s; j++) {
        const visible = j <= offset + i && (valid === undefined || valid[j] === 1);
        data[base + j] = visible ? 0 : MASKED;
      }
    }
  }
  return tf.tensor4d(data, [rows, 1, t, s]);
}
