/**
 * Building blocks with hand-written gradients (tf.customGrad), for memory: TensorFlow.js's autodiff keeps
 * every input its per-op gradients might need (an add keeps both inputs just for their shapes), which for
 * the base preset at batch 4 x 512 overflows the 4 GiB wasm heap. Each block here keeps only what its
 * backward formula reads, and computes its backward inside a tidy so transients die at once.
 *
 * For speed, while the engine's fused native kernels are active (wasm with the addon built:
 * fusedKernelsActive()), each block's forward and backward are one native kernel each (src/engine/native-fused.ts)
 * instead of a chain of tfjs ops; the formulas are the same. Each block is checked against plain autodiff of its
 * formula, with the fused kernels on and off (fused.test.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedKernelsActive, runFused } from "../engine/index.js";

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * RMSNorm over the last axis: y = w * x * r, r = rsqrt(mean(x^2) + eps). x [N, D], w [D].
 * Backward (xhat = x * r, g = dy * w): dx = r * (g - xhat * mean(g * xhat)), dw = sum_rows(dy * xhat).
 * Keeps x, w and r ([N, 1]).
 */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  if (fusedKernelsActive()) return rmsNormFused(x, weight, eps);
  const op = tf.customGrad((...args: Args) => {
    const [xin, w, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const r = tf.tidy(() => tf.rsqrt(tf.add(tf.mean(tf.square(xin), -1, true), eps)));
    const value = tf.tidy(() => tf.mul(tf.mul(xin, r), w)) as tf.Tensor2D;
    save([xin, w, r]);
    r.dispose();
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, ws, rs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
          const xhat = tf.mul(xs, rs);
          const g = tf.mul(dy, ws);
          const dx = tf.mul(rs, tf.sub(g, tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))));
          return [dx, tf.sum(tf.mul(dy, xhat), 0)];
        }),
    };
  });
  return op(x, weight) as tf.Tensor2D;
}

function rmsNormFused(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  const op = tf.customGrad((...args: Args) => {
    const [xin, w, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const [value, r] = runFused("rmsNorm", { x: xin, w }, { eps }) as [tf.Tensor2D, tf.Tensor2D];
    save([xin, w, r]);
    r.dispose(); // the tape keeps its own reference
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws, rs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
        return runFused("rmsNormGrad", { dy, x: xs, w: ws, r: rs });
      },
    };
  });
  return op(x, weight) as tf.Tensor2D;
}

/** rotate_half(x) = [-x2, x1] over the last axis, and its transpose [z2, -z1]. */
function rotateHalf(x: tf.Tensor4D, transpose: boolean): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [a, b] = tf.split(x, [half, half], 3) as [tf.Tensor4D, tf.Tensor4D];
  return transpose ? tf.concat([b, tf.neg(a)], 3) : tf.concat([tf.neg(b), a], 3);
}

/**
 * RoPE, rotate-half convention: y = x * cos + rotate_half(x) * sin. x [B, T, heads, hd], cos/sin
 * broadcastable constants. Linear in x, so the backward keeps only the tables: dx = dy * cos + rotate_half^T(dy * sin).
 */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad((...args: Args) => {
    const [xin, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([cos, sin]); // the tables are the caller's and may be disposed before the backward pass runs
    return {
      value: tf.tidy(() => tf.add(tf.mul(xin, cos), tf.mul(rotateHalf(xin, false), sin))) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [c, s] = saved as [tf.Tensor4D, tf.Tensor4D];
          return tf.add(tf.mul(dy, c), rotateHalf(tf.mul(dy, s) as tf.Tensor4D, true));
        }),
    };
  });
  return op(x) as tf.Tensor4D;
}

/** RoPE tables as ropeTables returns them: [rows, T, 1, hd], rows 1 (shared) or B. */
export interface RopeTables {
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
}

/**
 * A projection [B*T, heads*hd] split into heads [B, heads, T, hd], with RoPE applied first when `rope` is given,
 * all times `scale`: scale * transpose(applyRope(reshape(x))). Linear in x; the fused backward is the transposed
 * map (RoPE's inverse rotation, back to [B*T, heads*hd]) and keeps only the tables.
 */
export function toHeads(x: tf.Tensor2D, batch: number, heads: number, rope: RopeTables | null, scale = 1): tf.Tensor4D {
  const seq = x.shape[0] / batch;
  const hd = x.shape[1] / heads;
  const tablesFit = rope === null || (rope.cos.shape[1] === seq && (rope.cos.shape[0] === 1 || rope.cos.shape[0] === batch));
  if (!fusedKernelsActive() || !tablesFit || hd % 2 !== 0) {
    let r = tf.reshape(x, [batch, seq, heads, hd]) as tf.Tensor4D;
    if (rope) r = applyRope(r, rope.cos, rope.sin);
    const split = tf.transpose(r, [0, 2, 1, 3]);
    return scale === 1 ? split : tf.mul(split, scale);
  }
  const op = tf.customGrad((...args: Args) => {
    const [xin, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    if (rope) save([rope.cos, rope.sin]); // the caller may dispose the tables before the backward pass
    return {
      value: runFused("toHeads", { x: xin, cos: rope?.cos, sin: rope?.sin }, { batch, seq, heads, scale })[0] as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => runFused("fromHeads", { x: dy, cos: saved[0], sin: saved[1] }, { scale })[0]!,
    };
  });
  return op(x) as tf.Tensor4D;
}

/** Heads [B, heads, T, hd] back to [B*T, heads*hd] (the transpose of toHeads without RoPE). */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, t, hd] = x.shape;
  if (!fusedKernelsActive()) return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b * t, h * hd]);
  const op = tf.customGrad((...args: Args) => {
    const xin = args[0] as tf.Tensor4D;
    return {
      value: runFused("fromHeads", { x: xin }, { scale: 1 })[0] as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D) => runFused("toHeads", { x: dy }, { batch: b, seq: t, heads: h, scale: 1 })[0]!,
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * p = softmax(scores + mask) over the last axis (mask additive, constant). Keeps only p:
 * dscores = p * (dy - sum(dy * p)).
 */
export function maskedSoftmax(scores: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  const [b, , t, s] = scores.shape;
  const fused = fusedKernelsActive() && mask.shape[1] === 1 && (mask.shape[0] === 1 || mask.shape[0] === b) && mask.shape[2] === t && mask.shape[3] === s;
  const op = tf.customGrad((...args: Args) => {
    const [scoresIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const p = (fused ? runFused("maskedSoftmax", { s: scoresIn, mask })[0] : tf.tidy(() => tf.softmax(tf.add(scoresIn, mask)))) as tf.Tensor4D;
    save([p]);
    return {
      value: p,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [ps] = saved as [tf.Tensor4D];
        if (fused) return runFused("softmaxGrad", { dy, p: ps })[0]!;
        return tf.tidy(() => tf.mul(ps, tf.sub(dy, tf.sum(tf.mul(dy, ps), -1, true))));
      },
    };
  });
  return op(scores) as tf.Tensor4D;
}

/**
 * Self-attention softmax(q k^T + mask) v over the full sequence (keys = queries), grouped-query heads, as one
 * fused kernel each way that computes only what a causal mask leaves visible (native/fused_attention.h). q
 * [B, H, T, hd] (scaled), k/v [B, KV, T, hd], mask [B|1, 1, T, T]. Keeps q, k, v and the probabilities.
 * Only while fusedKernelsActive(); groupedAttention is the plain formula.
 */
export function fusedSelfAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad((...args: Args) => {
    const [qi, ki, vi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const [out, p] = runFused("attention", { q: qi, k: ki, v: vi, mask }) as [tf.Tensor4D, tf.Tensor4D];
    save([qi, ki, vi, p, mask]); // the mask is the caller's and may be disposed before the backward pass
    p.dispose(); // the tape keeps its own reference
    return {
      value: out,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [qs, ks, vs, ps, ms] = saved;
        return runFused("attentionGrad", { dout: dy, p: ps, q: qs, k: ks, v: vs, mask: ms });
      },
    };
  });
  return op(q, k, v) as tf.Tensor4D;
}

/**
 * SwiGLU gate: a = silu(g) * u, silu(g) = g * sigmoid(g). Keeps g and u:
 * du = dy * silu(g), dg = dy * u * s * (1 + g * (1 - s)) with s = sigmoid(g).
 */
export function swiGlu(gate: tf.Tensor2D, up: tf.Tensor2D): tf.Tensor2D {
  const fused = fusedKernelsActive();
  const op = tf.customGrad((...args: Args) => {
    const [g, u, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([g, u]);
    return {
      value: (fused ? runFused("swiGlu", { g, u })[0] : tf.tidy(() => tf.mul(tf.mul(g, tf.sigmoid(g)), u))) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        fused ? runFused("swiGluGrad", { dy, g: saved[0], u: saved[1] }) : tf.tidy(() => {
          const [gs, us] = saved as [tf.Tensor2D, tf.Tensor2D];
          const s = tf.sigmoid(gs);
          const du = tf.mul(dy, tf.mul(gs, s));
          const dg = tf.mul(tf.mul(dy, us), tf.mul(s, tf.add(1, tf.mul(gs, tf.sub(1, s)))));
          return [dg, du];
        }),
    };
  });
  return op(gate, up) as tf.Tensor2D;
}

/**
 * Activation checkpointing for one block y = fn(x): the forward pass keeps none of fn's intermediates
 * (only x and the constants), and the backward pass recomputes fn under a fresh tape to get the
 * gradients of x and of `params` (the weights fn reads, by identity). Costs one more forward of the
 * block; bounds training memory to the block inputs plus one block's activations and gradients.
 * `consts` are tensors fn reads that the caller may dispose before the backward pass (RoPE tables, masks).
 */
export function checkpointed(fn: (x: tf.Tensor2D, consts: tf.Tensor[]) => tf.Tensor2D, x: tf.Tensor2D, params: tf.Variable[], consts: tf.Tensor[]): tf.Tensor2D {
  const op = tf.customGrad((...args: Args) => {
    const xin = args[0] as tf.Tensor2D;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([xin, ...consts]);
    return {
      value: tf.tidy(() => fn(xin, consts)),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ...cs] = saved as [tf.Tensor2D, ...tf.Tensor[]];
        // TensorFlow.js keeps one global tape: a gradient taken inside a backward pass replaces it and
        // clears it when done, so the outer pass's tape is put back afterwards (its saved tensors are
        // disposed when the outer pass ends).
        const state = tf.engine().state;
        const outerTape = state.activeTape;
        try {
          return tf.grads((input: tf.Tensor) => fn(input as tf.Tensor2D, cs))([xs, ...params], dy);
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return op(x, ...params) as tf.Tensor2D;
}
