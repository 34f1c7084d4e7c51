/**
 * Per-token log-probabilities: the quantity every loss (SFT NLL, DPO, RLVR) is built from.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedKernelsActive, runFused } from "../engine/index.js";
import type { Olmo2Model } from "./olmo2.js";

/**
 * log p(targets[b,t]) = logits[b,t,target] - logsumexp(logits[b,t,:]).
 * logits [B, T, V] float32, targets [B, T] int32 -> [B, T].
 *
 * Memory-aware: a custom gradient keeps one [B*T, V] tensor, the softmax (computed anyway for the
 * logsumexp), and builds d/dlogits = dy * (onehot(target) - softmax) directly, instead of letting autodiff
 * keep the [B, T, V] intermediates of a logSoftmax or recompute an exp over the logits.
 */
export function tokenLogprobs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  if (targets.shape[0] !== b || targets.shape[1] !== t) throw new Error(`targets shape [${targets.shape}] does not match logits [${logits.shape}]`);
  if (fusedKernelsActive()) return tokenLogprobsFused(logits, targets);
  // Index of each target in the flattened [B*T*V] logits (wasm's GatherV2 mishandles batchDims).
  const flatIndex = tf.tidy(() => {
    const flatTargets = tf.cast(tf.reshape(targets, [b * t]), "int32");
    return tf.add(tf.mul(tf.range(0, b * t, 1, "int32"), tf.scalar(v, "int32")), flatTargets) as tf.Tensor1D;
  });
  // The softmax is only kept when a gradient tape is recording (inside tf.grad / variableGrads).
  const recording = tf.engine().isTapeOn();
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    // Intermediates ([B*T, V] each) are freed here; only the log-probs and, under a tape, the softmax leave.
    const { value, softmax } = tf.tidy(() => {
      const rows = tf.reshape(x, [b * t, v]) as tf.Tensor2D;
      const max = tf.max(rows, -1, true);
      // Explicit disposes keep at most two [B*T, V] temporaries alive at once (no tape records in here).
      const shifted = tf.sub(rows, max);
      const exps = tf.exp(shifted);
      shifted.dispose();
      const sums = tf.sum(exps, -1, true); // [BT, 1]
      const lse = tf.add(tf.log(sums), max);
      const picked = tf.gather(tf.reshape(rows, [b * t * v]), flatIndex); // [BT] = rows[i, target_i]
      const logprobs = tf.reshape(tf.sub(picked, tf.reshape(lse, [b * t])), [b, t]) as tf.Tensor2D;
      return recording ? { value: logprobs, softmax: tf.div(exps, sums) as tf.Tensor2D } : { value: logprobs, softmax: undefined };
    });
    if (softmax) {
      save([softmax, flatIndex]);
      softmax.dispose(); // the tape holds its own reference
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [savedSoftmax, savedIndex] = saved as [tf.Tensor2D, tf.Tensor1D];
          const dyCol = tf.reshape(dy, [b * t, 1]);
          // dy at each target position, scattered into a zero [B*T*V] buffer.
          const atTargets = tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy, [b * t]), savedIndex, b * t * v), [b * t, v]);
          const weighted = tf.mul(savedSoftmax, dyCol);
          const grad = tf.sub(atTargets, weighted);
          tf.dispose([atTargets, weighted]);
          return tf.reshape(grad, [b, t, v]);
        }),
    };
  });
  const out = fn(logits);
  flatIndex.dispose();
  return out;
}

/**
 * tokenLogprobs with one native kernel each way (src/engine/native-fused.ts): the forward reads each row of
 * logits once for its max and once for its exponentials, and keeps the logits and their logsumexp [B*T] (the
 * same memory as the softmax above, without writing a [B*T, V] tensor); the backward writes
 * dy * (onehot(target) - exp(logits - logsumexp)) in one pass. Same formulas as above.
 */
function tokenLogprobsFused(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  const flatTargets = tf.tidy(() => tf.cast(tf.reshape(targets, [b * t]), "int32")) as tf.Tensor1D;
  const recording = tf.engine().isTapeOn();
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const { value, lse } = tf.tidy(() => {
      const [logprobs, kept] = runFused("tokenLogprobs", { logits: tf.reshape(x, [b * t, v]), targets: flatTargets }, { keepLse: recording });
      return { value: tf.reshape(logprobs!, [b, t]) as tf.Tensor2D, lse: kept };
    });
    if (lse) {
      save([x, lse, flatTargets]);
      lse.dispose(); // the tape holds its own reference
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [logits, savedLse, savedTargets] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
          const inputs = { logits: tf.reshape(logits, [b * t, v]), lse: savedLse, targets: savedTargets, dy: tf.reshape(dy, [b * t]) };
          return tf.reshape(runFused("tokenLogprobsGrad", inputs)[0]!, [b, t, v]);
        }),
    };
  });
  const out = fn(logits);
  flatTargets.dispose();
  return out;
}

/**
 * Causal-LM shift: log p(ids[:, t+1] | ids[:, <=t]) for t = 0..T-2, from one forward pass over
 * ids[:, :-1]. Returns logprobs [B, T-1] and the label mask shifted the same way (mask[:, 1:]).
 * `mask` [B, T] marks label tokens (1); `attentionMask` [B, T] marks real tokens (1) vs padding (0);
 * `positionIds` [B, T] restart at 0 for each example of a packed row.
 */
export function shiftedTokenLogprobs(
  model: Olmo2Model,
  ids: tf.Tensor2D,
  mask: tf.Tensor2D,
  opts: { attentionMask?: tf.Tensor2D; positionIds?: tf.Tensor2D } = {},
): { logprobs: tf.Tensor2D; mask: tf.Tensor2D } {
  const [b, t] = ids.shape;
  if (t < 2) throw new Error(`shiftedTokenLogprobs needs at least 2 tokens per row, got ${t}`);
  return tf.tidy(() => {
    const head = (x: tf.Tensor2D): tf.Tensor2D => tf.slice(x, [0, 0], [b, t - 1]);
    const logits = model.forward(head(ids), {
      ...(opts.attentionMask ? { attentionMask: head(opts.attentionMask) } : {}),
      ...(opts.positionIds ? { positionIds: head(opts.positionIds) } : {}),
    });
    const targets = tf.slice(ids, [0, 1], [b, t - 1]);
    return { logprobs: tokenLogprobs(logits, targets), mask: tf.slice(mask, [0, 1], [b, t - 1]) };
  });
}

/** A padded (or packed) batch as host arrays, row-major [batchSize, length]; src/data's Batch has this shape. */
export interface TokenBatch {
  batchSize: number;
  length: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  positionIds: Int32Array;
  lossMask: Float32Array;
}

/** shiftedTokenLogprobs over a host batch: the per-token log-probs SFT and DPO both reduce. */
export function batchTokenLogprobs(model: Olmo2Model, batch: TokenBatch): { logprobs: tf.Tensor2D; mask: tf.Tensor2D } {
  const { batchSize: b, length: t } = batch;
  return tf.tidy(() =>
    shiftedTokenLogprobs(model, tf.tensor2d(batch.inputIds, [b, t], "int32"), tf.tensor2d(batch.lossMask, [b, t], "float32"), {
      attentionMask: tf.tensor2d(batch.attentionMask, [b, t], "int32"),
      positionIds: tf.tensor2d(batch.positionIds, [b, t], "int32"),
    }),
  );
}
