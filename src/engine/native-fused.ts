/**
 * Fused training kernels on the wasm backend (issue 8, lever 3), from the optional native addon (native/fused*.cc).
 *
 * Outside the matmuls a training step is a few hundred small tfjs kernels (RMSNorm alone is a square, a mean, an
 * rsqrt and three multiplies forward, a dozen backward), each a pass over memory on one core. Each kernel here
 * does one model block's forward or backward in a single pass on both threads: RMSNorm with its weight, RoPE fused
 * with the head transpose, the masked softmax, SwiGLU, the token log-probs over the vocabulary (logsumexp and the
 * pick of the target in one pass; the backward recomputes the softmax from the logits), the AdamW update, and causal self-attention
 * (scores, softmax and the product with v in one kernel that skips the blocks a causal mask hides).
 *
 * They are tfjs kernels registered on "wasm" under their own names and run through tf.engine().runKernel from the
 * model's tf.customGrad blocks (src/model/fused.ts), which fall back to the plain tfjs formulas when
 * fusedKernelsActive() is false: another backend, no addon, a shared (threaded) wasm heap, or disabled for a test.
 * Like src/engine/native.ts, a kernel hands the addon the wasm heap and byte offsets, so nothing is copied.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type WasmBackend, loadAddon, plainHeap } from "./native.js";

/** The addon's `fused` namespace (native/fused_napi.cc); offsets are bytes into the heap, -1 = absent. */
interface FusedAddon {
  rmsNormForward(heap: ArrayBuffer, x: number, w: number, y: number, r: number, rows: number, cols: number, eps: number): void;
  rmsNormBackward(heap: ArrayBuffer, dy: number, x: number, w: number, r: number, dx: number, dw: number, rows: number, cols: number): void;
  rope(
    heap: ArrayBuffer, input: number, cos: number, sin: number, out: number,
    batch: number, seq: number, heads: number, hd: number, tableRows: number, scale: number, toHeads: number,
  ): void;
  maskedSoftmaxForward(heap: ArrayBuffer, s: number, mask: number, p: number, batch: number, heads: number, seq: number, cols: number, maskBatch: number): void;
  softmaxBackward(heap: ArrayBuffer, dy: number, p: number, ds: number, rows: number, cols: number): void;
  swiGluForward(heap: ArrayBuffer, g: number, u: number, a: number, n: number): void;
  swiGluBackward(heap: ArrayBuffer, dy: number, g: number, u: number, dg: number, du: number, n: number): void;
  tokenLogprobsForward(heap: ArrayBuffer, logits: number, targets: number, logprobs: number, lse: number, rows: number, vocab: number): void;
  tokenLogprobsBackward(heap: ArrayBuffer, logits: number, lse: number, targets: number, dy: number, dlogits: number, rows: number, vocab: number): void;
  adamw(
    heap: ArrayBuffer, p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number,
    decay: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number,
  ): void;
  attentionForward(
    heap: ArrayBuffer, q: number, k: number, v: number, mask: number, p: number, out: number,
    batch: number, heads: number, kvHeads: number, seq: number, hd: number, maskBatch: number,
  ): void;
  attentionBackward(
    heap: ArrayBuffer, dout: number, p: number, q: number, k: number, v: number, mask: number, dq: number, dk: number, dv: number,
    batch: number, heads: number, kvHeads: number, seq: number, hd: number, maskBatch: number,
  ): void;
}

type Inputs = Record<string, tf.TensorInfo | undefined>;
type KernelArgs = { inputs: Inputs; backend: WasmBackend; attrs: Record<string, unknown> };

/** Kernel names, registered on "wasm" only. */
export const FUSED_KERNELS = {
  rmsNorm: "PosttrainRmsNorm",
  rmsNormGrad: "PosttrainRmsNormGrad",
  toHeads: "PosttrainRopeToHeads",
  fromHeads: "PosttrainRopeFromHeads",
  maskedSoftmax: "PosttrainMaskedSoftmax",
  softmaxGrad: "PosttrainSoftmaxGrad",
  swiGlu: "PosttrainSwiGlu",
  swiGluGrad: "PosttrainSwiGluGrad",
  tokenLogprobs: "PosttrainTokenLogprobs",
  tokenLogprobsGrad: "PosttrainTokenLogprobsGrad",
  adamW: "PosttrainAdamW",
  attention: "PosttrainCausalAttention",
  attentionGrad: "PosttrainCausalAttentionGrad",
} as const;

let fused: FusedAddon | null = null;
let registered = false;
let enabled = true;
let calls = 0;

/**
 * Registers the fused kernels on "wasm" if the addon is built and has them; true if they are (now) registered.
 * Called by initBackendInfo once the native matmul kernels are in.
 */
export function registerFusedKernels(): boolean {
  if (registered) return true;
  const addon = loadAddon() as { fused?: FusedAddon } | null;
  if (!addon?.fused) return false;
  fused = addon.fused;
  for (const [name, kernelFunc] of Object.entries(KERNEL_FUNCS)) {
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  registered = true;
  return true;
}

/** Turns the fused path off (false) or back on; for tests that compare it with the plain tfjs formulas. */
export function setFusedKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the model's blocks run the fused kernels now: registered, enabled, wasm active with a plain heap. */
export function fusedKernelsActive(): boolean {
  if (!registered || !enabled || tf.getBackend() !== "wasm") return false;
  return plainHeap(tf.backend() as unknown as WasmBackend) !== null;
}

/**
 * Runs fused kernel `kernel` (FUSED_KERNELS) through the engine, so its outputs are tracked like any op's; only
 * while fusedKernelsActive(). Absent optional inputs are left out.
 */
export function runFused(kernel: keyof typeof FUSED_KERNELS, inputs: Record<string, tf.Tensor | undefined>, attrs: tf.NamedAttrMap = {}): tf.Tensor[] {
  const present: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs)) if (t !== undefined) present[name] = t;
  const out = tf.engine().runKernel(FUSED_KERNELS[kernel], present, attrs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** Fused kernel calls served since load (tells a test that the fused path ran). */
export function fusedKernelCalls(): number {
  return calls;
}

function offsetOf(backend: WasmBackend, t: tf.TensorInfo | undefined, name: string): number {
  if (t === undefined) return -1;
  if (t.dtype !== "float32" && t.dtype !== "int32") throw new Error(`fused kernel: ${name} must be float32 or int32, got ${t.dtype}`);
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`fused kernel: ${name} of shape [${t.shape}] is not in the wasm heap`);
  return data.memoryOffset;
}

const size = (t: tf.TensorInfo): number => tf.util.sizeFromShape(t.shape);

/**
 * Allocates `outShapes`, then calls `run` with the heap and the byte offsets of inputs (by name) and outputs, and
 * returns the outputs. Empty tensors skip the addon (their outputs are empty too).
 */
function launch(args: KernelArgs, outShapes: number[][], run: (heap: ArrayBuffer, at: (name: string) => number, out: number[]) => void): tf.TensorInfo[] {
  const { inputs, backend } = args;
  const outs = outShapes.map((shape) => backend.makeOutput(shape, "float32"));
  const empty = Object.values(inputs).some((t) => t !== undefined && size(t) === 0) || outs.some((t) => size(t) === 0);
  if (!empty) {
    const heap = plainHeap(backend);
    if (heap === null) throw new Error("fused kernel: the wasm heap is shared (threaded build); use the plain path");
    calls += 1;
    run(heap, (name) => offsetOf(backend, inputs[name], name), outs.map((t) => offsetOf(backend, t, "output")));
  }
  return outs;
}

const last = (t: tf.TensorInfo): number => t.shape[t.shape.length - 1]!;
const rowsOf = (t: tf.TensorInfo): number => size(t) / last(t);

/** Inputs {x [N, D], w [D]}, attrs {eps} -> [y [N, D], r [N, 1]]. */
function rmsNorm(args: KernelArgs): tf.TensorInfo[] {
  const x = args.inputs["x"]!;
  const [rows, cols] = [rowsOf(x), last(x)];
  return launch(args, [x.shape, [rows, 1]], (heap, at, [y, r]) =>
    fused!.rmsNormForward(heap, at("x"), at("w"), y!, r!, rows, cols, args.attrs["eps"] as number));
}

/** Inputs {dy, x, w, r} -> [dx [N, D], dw [D]]. */
function rmsNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const x = args.inputs["x"]!;
  const [rows, cols] = [rowsOf(x), last(x)];
  return launch(args, [x.shape, [cols]], (heap, at, [dx, dw]) =>
    fused!.rmsNormBackward(heap, at("dy"), at("x"), at("w"), at("r"), dx!, dw!, rows, cols));
}

/**
 * toHeads: inputs {x [B*T, H*hd], cos?, sin? [R, T, 1, hd]}, attrs {batch, seq, heads, scale} -> [B, H, T, hd];
 * fromHeads: inputs {x [B, H, T, hd], cos?, sin?}, attrs {scale} -> [B*T, H*hd] (the transpose of toHeads).
 */
function rope(toHeads: boolean) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const x = args.inputs["x"]!;
    const cos = args.inputs["cos"];
    const heads = toHeads ? (args.attrs["heads"] as number) : x.shape[1]!;
    const [batch, seq, hd] = toHeads
      ? [args.attrs["batch"] as number, args.attrs["seq"] as number, last(x) / heads]
      : [x.shape[0]!, x.shape[2]!, x.shape[3]!];
    const outShape = toHeads ? [batch, heads, seq, hd] : [batch * seq, heads * hd];
    const tableRows = cos ? cos.shape[0]! : 1;
    return launch(args, [outShape], (heap, at, [out]) =>
      fused!.rope(heap, at("x"), at("cos"), at("sin"), out!, batch, seq, heads, hd, tableRows, args.attrs["scale"] as number, toHeads ? 1 : 0));
  };
}

/** Inputs {s [B, H, T, S], mask [B|1, 1, T, S]} -> p. */
function maskedSoftmax(args: KernelArgs): tf.TensorInfo[] {
  const s = args.inputs["s"]!;
  const [b, h, t, cols] = s.shape as [number, number, number, number];
  return launch(args, [s.shape], (heap, at, [p]) =>
    fused!.maskedSoftmaxForward(heap, at("s"), at("mask"), p!, b, h, t, cols, args.inputs["mask"]!.shape[0]!));
}

/** Inputs {dy, p} -> ds = p * (dy - sum(dy * p)) over the last axis. */
function softmaxGrad(args: KernelArgs): tf.TensorInfo[] {
  const p = args.inputs["p"]!;
  return launch(args, [p.shape], (heap, at, [ds]) => fused!.softmaxBackward(heap, at("dy"), at("p"), ds!, rowsOf(p), last(p)));
}

function swiGlu(args: KernelArgs): tf.TensorInfo[] {
  const g = args.inputs["g"]!;
  return launch(args, [g.shape], (heap, at, [a]) => fused!.swiGluForward(heap, at("g"), at("u"), a!, size(g)));
}

function swiGluGrad(args: KernelArgs): tf.TensorInfo[] {
  const g = args.inputs["g"]!;
  return launch(args, [g.shape, g.shape], (heap, at, [dg, du]) =>
    fused!.swiGluBackward(heap, at("dy"), at("g"), at("u"), dg!, du!, size(g)));
}

/** Inputs {logits [N, V], targets [N] int32}, attrs {keepLse} -> [logprobs [N], logsumexp [N]?]. */
function tokenLogprobs(args: KernelArgs): tf.TensorInfo[] {
  const logits = args.inputs["logits"]!;
  const [rows, vocab] = [rowsOf(logits), last(logits)];
  const keep = args.attrs["keepLse"] === true;
  return launch(args, keep ? [[rows], [rows]] : [[rows]], (heap, at, [logprobs, lse]) =>
    fused!.tokenLogprobsForward(heap, at("logits"), at("targets"), logprobs!, lse ?? -1, rows, vocab));
}

/** Inputs {logits [N, V], lse [N], targets [N] int32, dy [N]} -> dlogits [N, V]. */
function tokenLogprobsGrad(args: KernelArgs): tf.TensorInfo[] {
  const logits = args.inputs["logits"]!;
  const [rows, vocab] = [rowsOf(logits), last(logits)];
  return launch(args, [logits.shape], (heap, at, [dlogits]) =>
    fused!.tokenLogprobsBackward(heap, at("logits"), at("lse"), at("targets"), at("dy"), dlogits!, rows, vocab));
}

/** Inputs {p, g, m, v} of one shape, attrs the step's scalars -> [p', m', v']. */
function adamW(args: KernelArgs): tf.TensorInfo[] {
  const p = args.inputs["p"]!;
  const a = args.attrs as Record<string, number>;
  return launch(args, [p.shape, p.shape, p.shape], (heap, at, [pOut, mOut, vOut]) =>
    fused!.adamw(heap, at("p"), at("g"), at("m"), at("v"), pOut!, mOut!, vOut!, size(p),
      a["decay"]!, a["beta1"]!, a["oneMinusBeta1"]!, a["beta2"]!, a["oneMinusBeta2"]!, a["stepSize"]!, a["bc2Sqrt"]!, a["eps"]!));
}

/** [batch, heads, kvHeads, seq, hd, maskBatch] of q [B, H, T, hd], k [B, KV, T, hd], mask [MB, 1, T, T]. */
function attentionShape(q: tf.TensorInfo, k: tf.TensorInfo, mask: tf.TensorInfo): number[] {
  const [b, h, t, hd] = q.shape as [number, number, number, number];
  return [b, h, k.shape[1]!, t, hd, mask.shape[0]!];
}

/** Inputs {q, k, v, mask} -> [out [B, H, T, hd], p [B, H, T, T]] (native/fused_attention.h). */
function attention(args: KernelArgs): tf.TensorInfo[] {
  const { q, k, mask } = args.inputs as Record<string, tf.TensorInfo>;
  const [b, h, t] = q!.shape as [number, number, number];
  const dims = attentionShape(q!, k!, mask!) as [number, number, number, number, number, number];
  return launch(args, [q!.shape, [b, h, t, t]], (heap, at, [out, p]) =>
    fused!.attentionForward(heap, at("q"), at("k"), at("v"), at("mask"), p!, out!, ...dims));
}

/** Inputs {dout, p, q, k, v, mask} -> [dq, dk, dv]. */
function attentionGrad(args: KernelArgs): tf.TensorInfo[] {
  const { q, k, mask } = args.inputs as Record<string, tf.TensorInfo>;
  const dims = attentionShape(q!, k!, mask!) as [number, number, number, number, number, number];
  return launch(args, [q!.shape, k!.shape, k!.shape], (heap, at, [dq, dk, dv]) =>
    fused!.attentionBackward(heap, at("dout"), at("p"), at("q"), at("k"), at("v"), at("mask"), dq!, dk!, dv!, ...dims));
}

const KERNEL_FUNCS: Record<string, (args: KernelArgs) => tf.TensorInfo[]> = {
  [FUSED_KERNELS.rmsNorm]: rmsNorm,
  [FUSED_KERNELS.rmsNormGrad]: rmsNormGrad,
  [FUSED_KERNELS.toHeads]: rope(true),
  [FUSED_KERNELS.fromHeads]: rope(false),
  [FUSED_KERNELS.maskedSoftmax]: maskedSoftmax,
  [FUSED_KERNELS.softmaxGrad]: softmaxGrad,
  [FUSED_KERNELS.swiGlu]: swiGlu,
  [FUSED_KERNELS.swiGluGrad]: swiGluGrad,
  [FUSED_KERNELS.tokenLogprobs]: tokenLogprobs,
  [FUSED_KERNELS.tokenLogprobsGrad]: tokenLogprobsGrad,
  [FUSED_KERNELS.adamW]: adamW,
  [FUSED_KERNELS.attention]: attention,
  [FUSED_KERNELS.attentionGrad]: attentionGrad,
};
