/**
 * One cached OLMo-2 forward step (prefill, or one new token per row) as a single native call (issue 8, generation):
 * native/decode.h runs every layer (norms, projections, RoPE, attention over the KV cache, SwiGLU), the final norm
 * and lm_head, reading the weights and writing the new keys and values into the caches where they already live in
 * the wasm heap. Generation then costs one dispatch per step instead of ~270 tfjs kernels per token.
 *
 * Available when the wasm backend runs with the native kernels registered (src/engine/native.ts): unregistering
 * them switches this path off as well, so one switch selects "plain tfjs" for tests and comparisons.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type WasmBackend, activeNativeAddon, memoryOffset, plainHeap, threadsForCurrentLoad } from "./native.js";

export interface Olmo2StepDims {
  batch: number;
  /** New tokens per row this step. */
  tokens: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  /** Cache slots per row, and the slot of the first new token. */
  maxLen: number;
  offset: number;
  eps: number;
  ropeTheta: number;
  /** At most this many threads (default decodeThreads()); the logits do not depend on it. */
  threads?: number;
}

/** One decoder layer's weights (HF layout, [out, in]) and its caches [batch, kvHeads, maxLen, headDim]. */
export interface Olmo2StepLayer {
  qProj: tf.Tensor;
  kProj: tf.Tensor;
  vProj: tf.Tensor;
  oProj: tf.Tensor;
  qNorm: tf.Tensor;
  kNorm: tf.Tensor;
  postAttentionNorm: tf.Tensor;
  postFeedforwardNorm: tf.Tensor;
  gateProj: tf.Tensor;
  upProj: tf.Tensor;
  downProj: tf.Tensor;
  keyCache: tf.Tensor;
  valueCache: tf.Tensor;
}

export interface Olmo2StepWeights {
  embed: tf.Tensor;
  layers: Olmo2StepLayer[];
  finalNorm: tf.Tensor;
  /** lm_head, or the embedding when tied. */
  lmHead: tf.Tensor;
}

export interface Olmo2StepInputs {
  /** [batch * tokens] token ids, row-major. */
  ids: Int32Array;
  /** [batch * tokens] RoPE positions. */
  positions: Int32Array;
  /** [batch * maxLen]: 1 where the slot holds a real token once this step is written. */
  keyValid: Uint8Array;
}

interface DecodeAddon {
  logSumExpRows(
    heap: ArrayBuffer, xOffset: number, rows: number, cols: number, out: Float32Array, argmax?: Int32Array,
    top?: Float32Array,
  ): void;
  olmo2Step(
    heap: ArrayBuffer, dims: Float64Array, offsets: Float64Array, ids: Int32Array, positions: Int32Array,
    keyValid: Uint8Array, logitsOffset: number,
  ): void;
}

/** Field order of the layer offsets, as native/decode_napi.cc reads them. */
const LAYER_FIELDS: (keyof Olmo2StepLayer)[] = [
  "qProj", "kProj", "vProj", "oProj", "qNorm", "kNorm", "postAttentionNorm", "postFeedforwardNorm", "gateProj",
  "upProj", "downProj", "keyCache", "valueCache",
];

let calls = 0;
let threadSetting: number | "auto" = "auto";

/**
 * Threads for a native step: "auto" (the default) takes 2 unless the machine is oversubscribed. A decoding step
 * streams every weight once per token and hands work to the second thread about five times per layer; when other
 * processes keep the cores busy (1-minute load average at least one above the CPU count) that thread rarely has a
 * core of its own and each hand-off waits on the scheduler. Measured on 2 CPUs at load 5-7: one thread 1.1-1.6x
 * faster for every preset and batch. On an idle machine each thread streams half of the weights. Tests and
 * benchmarks may pin 1 or 2. The GEMM's own thread setting (configureNativeMatMul) still caps it.
 */
export function configureNativeDecode(options: { threads: number | "auto" }): void {
  threadSetting = options.threads;
}

/** The thread count the next native step uses (the same load rule and cache as the GEMM's "auto"). */
export function decodeThreads(): number {
  return threadSetting !== "auto" ? threadSetting : threadsForCurrentLoad();
}

/** Steps run natively since load (tests use it to tell the native path from the tfjs fallback). */
export function nativeOlmo2StepCalls(): number {
  return calls;
}

function decodeAddon(): DecodeAddon | null {
  if (tf.getBackend() !== "wasm") return null;
  const addon = activeNativeAddon() as Partial<DecodeAddon> | null;
  return addon && typeof addon.olmo2Step === "function" && typeof addon.logSumExpRows === "function" ? (addon as DecodeAddon) : null;
}

/** Whether nativeOlmo2Step can run now (wasm backend, native kernels registered, an addon with the step). */
export function nativeOlmo2StepAvailable(): boolean {
  return decodeAddon() !== null;
}

/**
 * Runs the step; returns the logits of the last new token of every row, [batch, vocab], or null when the native
 * path is unavailable or a tensor is not in the wasm heap (say, created on another backend): then use the tfjs path.
 * The caches are written in place, so they must be owned by the caller alone.
 */
export function nativeOlmo2Step(dims: Olmo2StepDims, weights: Olmo2StepWeights, inputs: Olmo2StepInputs): tf.Tensor2D | null {
  const addon = decodeAddon();
  if (addon === null) return null;
  const backend = tf.backend() as unknown as WasmBackend;
  const tensors = [weights.embed, weights.finalNorm, weights.lmHead, ...weights.layers.flatMap((l) => LAYER_FIELDS.map((f) => l[f]))];
  if (tensors.some((t) => t.dtype !== "float32" || backend.dataIdMap.get(t.dataId) === undefined)) return null;
  const logits = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([dims.batch, dims.vocab], "float32")) as tf.Tensor2D;
  const heap = plainHeap(backend); // read after makeOutput, which may have grown the heap
  if (heap === null) {
    logits.dispose();
    return null;
  }
  const dimArray = Float64Array.of(
    dims.batch, dims.tokens, dims.hidden, dims.heads, dims.kvHeads, dims.headDim, dims.intermediate, dims.vocab,
    weights.layers.length, dims.maxLen, dims.offset, dims.eps, dims.ropeTheta, dims.threads ?? decodeThreads(),
  );
  const offsets = Float64Array.from(tensors, (t) => memoryOffset(backend, t));
  try {
    addon.olmo2Step(heap, dimArray, offsets, inputs.ids, inputs.positions, inputs.keyValid, memoryOffset(backend, logits));
  } catch (error) {
    logits.dispose();
    throw error;
  }
  calls++;
  return logits;
}

/** Per row of logits: the log-softmax normaliser, and for greedy decoding the choice and its logit. */
export interface RowStats {
  /** log(sum(exp(row))). */
  logSumExp: Float32Array;
  /** With `greedy`: the first index of the row maximum (sampling.ts argmax), and the logit there. */
  argmax?: Int32Array;
  top?: Float32Array;
}

/**
 * Row statistics of float32 logits [rows, cols] on the wasm heap, natively: the log-probability normalisers
 * generation reads every step (one call instead of the half-dozen kernels of tf.logSumExp) and, when `greedy`, the
 * argmax with its logit, so greedy decoding never copies the logits out of the heap. Null when the native path is
 * unavailable or the tensor is not in the wasm heap.
 */
export function nativeRowStats(logits: tf.Tensor2D, greedy: boolean): RowStats | null {
  const addon = decodeAddon();
  if (addon === null || logits.dtype !== "float32" || logits.shape[1] === 0) return null;
  const backend = tf.backend() as unknown as WasmBackend;
  const heap = plainHeap(backend);
  if (heap === null || backend.dataIdMap.get(logits.dataId) === undefined) return null;
  const [rows, cols] = logits.shape;
  const offset = memoryOffset(backend, logits);
  const logSumExp = new Float32Array(rows);
  if (!greedy) {
    addon.logSumExpRows(heap, offset, rows, cols, logSumExp);
    return { logSumExp };
  }
  const argmax = new Int32Array(rows);
  const top = new Float32Array(rows);
  addon.logSumExpRows(heap, offset, rows, cols, logSumExp, argmax, top);
  return { logSumExp, argmax, top };
}
