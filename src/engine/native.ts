/**
 * Optional native kernels for the wasm backend (issue 8: lever 1, and the heaviest reductions outside matmuls).
 *
 * `native/` holds an N-API addon (built at install by scripts/build-native.mjs; absent if the machine has no C++
 * compiler) with a cache-blocked float32 GEMM for AVX-512, AVX2+FMA or plain C++, chosen at run time, on two
 * threads, and AVX-512 exp, row maxima and sums. registerNativeKernels() replaces the wasm backend's `BatchMatMul`,
 * `_FusedMatMul`, `Exp`, `Max` and `Sum` kernels with ones that hand the addon the wasm heap and byte offsets of the
 * operands: the addon reads the inputs and writes the output in place, so nothing is copied. Whatever the addon does
 * not cover (non-float32 inputs, batch dimensions that broadcast other than "one side has a single matrix", prelu,
 * bias that is not a scalar or a row vector, reductions over middle axes, a shared heap) goes to the original wasm
 * kernel, which is kept for that and for tests.
 */
import { createRequire } from "node:module";
import * as os from "node:os";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";

/** Which build the addon runs and on how many threads (for every native kernel, not only the matmul). */
export interface NativeMatMulInfo {
  isa: NativeIsa;
  threads: number;
  /** Variants this CPU can run, fastest first. */
  supportedIsas: NativeIsa[];
  /** Products the addon has computed since it was loaded (tells the native path from the wasm fallback). */
  calls: number;
}
export type NativeIsa = "avx512" | "avx2" | "scalar";

export type NativeMatMulStatus = ({ loaded: true } & NativeMatMulInfo) | { loaded: false; reason: string };

interface NativeAddon {
  matmul(
    heap: ArrayBuffer, aOffset: number, bOffset: number, outOffset: number,
    batch: number, batchA: number, batchB: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, biasOffset: number, biasLength: number,
    activation: number, leakyAlpha: number,
  ): void;
  exp(heap: ArrayBuffer, xOffset: number, outOffset: number, size: number): void;
  /** x seen as [rows, cols]; out[r] = sum of row r, out[j] = sum of column j, or out[r] = max of row r. */
  reduce(heap: ArrayBuffer, xOffset: number, outOffset: number, rows: number, cols: number, mode: ReduceMode): void;
  info(): NativeMatMulInfo;
  configure(options: { isa?: NativeIsa; threads?: number }): NativeMatMulInfo;
}

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use (its data map and heap are public fields). */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface KernelArgs<Inputs, Attrs> {
  inputs: Inputs;
  backend: WasmBackend;
  attrs: Attrs;
}
type MatMulArgs = KernelArgs<
  { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo | null; preluActivationWeights?: tf.TensorInfo | null },
  { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number }
>;
type ExpArgs = KernelArgs<{ x: tf.TensorInfo }, Record<string, never>>;
type SumArgs = KernelArgs<{ x: tf.TensorInfo }, { axis: number | number[]; keepDims: boolean }>;
type MaxArgs = KernelArgs<{ x: tf.TensorInfo }, { reductionIndices: number | number[]; keepDims: boolean }>;
/** The addon's reductions, by its mode codes. */
const enum ReduceMode {
  SumRows = 0,
  SumColumns = 1,
  MaxRows = 2,
}

/** Where node-gyp leaves the addon; the same relative path from src/engine (vitest) and dist/engine (built). */
const ADDON_PATH = fileURLToPath(new URL("../../native/build/Release/posttrain_native.node", import.meta.url));

/** The wasm backend's FusableActivation codes that the addon implements (prelu needs a weight tensor: fallback). */
const ACTIVATION_CODES: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4, sigmoid: 5, elu: 6 };

/**
 * The wasm kernels replaced, and by what. Exp, Max and Sum are the heaviest kernels outside the matmuls in a
 * training step (the log-softmax over the vocabulary, the normalisation weight gradients), and wasm runs them on one
 * core, Exp at about 5 ns an element and Sum over leading axes through a transpose (measured on the tiny preset).
 */
const NATIVE_KERNELS: Record<string, (args: never) => tf.TensorInfo> = {
  [tf.BatchMatMul]: nativeBatchMatMul,
  [tf._FusedMatMul]: nativeFusedMatMul,
  [tf.Exp]: nativeExp,
  [tf.Sum]: nativeSum,
  [tf.Max]: nativeMax,
};

let addon: NativeAddon | null = null;
let loadFailure: string | null = null;
/** The wasm backend's own kernel configs, present while the native ones are registered. */
let originals: Map<string, tf.KernelConfig> | null = null;

/** The addon, loaded on first use (Node loads the file once); null when it is not built or fails to load. */
export function loadAddon(): NativeAddon | null {
  if (addon !== null || loadFailure !== null) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (error) {
    loadFailure = `native matmul addon not loaded from ${ADDON_PATH}: ${(error as Error).message.split("\n")[0]}`;
  }
  return addon;
}

/** Whether the addon is loaded, and if so which variant and thread count it uses; otherwise why not. */
export function nativeMatMulStatus(): NativeMatMulStatus {
  const loaded = loadAddon();
  return loaded ? { loaded: true, ...loaded.info() } : { loaded: false, reason: loadFailure ?? "not loaded" };
}

/**
 * Forces a variant, or pins the thread count of every native kernel to 1 or 2 (tests and benchmarks), or returns it
 * to "auto" (the default: nativeThreadsForLoad). Throws if the addon is absent or the CPU lacks the ISA.
 */
export function configureNativeMatMul(options: { isa?: NativeIsa; threads?: number | "auto" }): NativeMatMulInfo {
  const loaded = loadAddon();
  if (!loaded) throw new Error(loadFailure ?? "native matmul addon not loaded");
  const { threads, ...rest } = options;
  if (threads !== undefined) {
    threadSetting = threads;
    appliedThreads = 0; // "auto" sets the addon afresh, whatever was pinned before
  }
  if (threads !== undefined && threads !== "auto") return loaded.configure({ ...rest, threads });
  loaded.configure(rest);
  applyThreadPolicy(loaded);
  return loaded.info();
}

let threadSetting: number | "auto" = "auto";
/** The thread count "auto" last gave the addon (0: not yet, or pinned since). */
let appliedThreads = 0;
let loadCheck = { at: -Infinity, threads: 0 };

/**
 * Threads for the native kernels at a given 1-minute load average: 2 unless other processes keep the cores busy
 * (load at least one above the CPU count), as for the decoding step (native-decode.ts). Every native kernel splits
 * its work between the caller and one helper thread and waits for both; on an oversubscribed machine the helper
 * often loses its core in the middle of a part and the caller waits a scheduler time slice for it. Measured on 2
 * CPUs at load 5 in a training step: one thread 8% (small) to 24% (tiny) more tokens/s than two, and the matmuls
 * alone about 10% faster.
 */
export function nativeThreadsForLoad(loadAverage: number, cpus: number): number {
  return cpus >= 2 && loadAverage < cpus + 1 ? 2 : 1;
}

/** nativeThreadsForLoad now, the load average re-read at most once a second; every native path in "auto" asks here. */
export function threadsForCurrentLoad(): number {
  const now = performance.now();
  if (now - loadCheck.at > 1000) loadCheck = { at: now, threads: nativeThreadsForLoad(os.loadavg()[0]!, os.availableParallelism()) };
  return loadCheck.threads;
}

/** In "auto", gives the addon the thread count for the current load when it changes. */
function applyThreadPolicy(loaded: NativeAddon): void {
  if (threadSetting !== "auto") return;
  const threads = threadsForCurrentLoad();
  if (threads !== appliedThreads) loaded.configure({ threads });
  appliedThreads = threads;
}

/**
 * Replaces the wasm backend's BatchMatMul, _FusedMatMul, Exp, Max and Sum with the native ones. Returns false (and
 * changes nothing) if the addon is not built or the wasm kernels are not registered; true if they are now native.
 */
export function registerNativeKernels(): boolean {
  if (originals !== null) return true;
  const loaded = loadAddon();
  if (!loaded) return false;
  const saved = new Map<string, tf.KernelConfig>();
  for (const name of Object.keys(NATIVE_KERNELS)) {
    const config = tf.getKernel(name, "wasm");
    if (config === undefined) return false;
    saved.set(name, config);
  }
  for (const [name, config] of saved) {
    tf.unregisterKernel(name, "wasm");
    // The original setupFunc still runs if the backend initialises later: the fallback path needs it.
    tf.registerKernel({ ...config, kernelFunc: NATIVE_KERNELS[name] as unknown as tf.KernelFunc });
  }
  originals = saved;
  applyThreadPolicy(loaded);
  return true;
}

/** The addon while the native kernels are registered on wasm (other native paths follow that switch), else null. */
export function activeNativeAddon(): object | null {
  return originals !== null ? addon : null;
}

/** Puts the wasm backend's own kernels back (no-op when the native ones are not registered). */
export function unregisterNativeKernels(): void {
  if (originals === null) return;
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
  }
  originals = null;
}

/** Runs the original wasm kernel for `kernelName` (only reachable while the native ones are registered). */
function fallback(kernelName: string, args: KernelArgs<unknown, unknown>): tf.TensorInfo {
  const config = originals?.get(kernelName);
  if (!config) throw new Error(`${kernelName}: original wasm kernel missing`);
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

interface MatMulPlan {
  outShape: number[];
  batch: number;
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
}

/**
 * Shapes of op(a) [..., m, k] x op(b) [..., k, n] as the addon needs them, or null for cases left to the wasm
 * kernel (including invalid ones, so its error messages are kept). Batch dimensions broadcast numpy-style; the
 * addon handles the cases where each operand is either one matrix or one per output batch.
 */
function planMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan | null {
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kB) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batch = tf.util.sizeFromShape(outer);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  // A count equal to the output's means the dims are equal too (each is the output's or 1), so indices line up.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  return { outShape: [...outer, m, n], batch, batchA, batchB, m, n, k };
}

export function memoryOffset(backend: WasmBackend, tensor: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error(`native kernel: tensor of shape [${tensor.shape}] is not in the wasm heap`);
  return data.memoryOffset;
}

function runNative(
  args: MatMulArgs, plan: MatMulPlan, bias: tf.TensorInfo | null | undefined, activation: number, alpha: number,
): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const out = backend.makeOutput(plan.outShape, "float32");
  if (plan.batch * plan.m * plan.n === 0) return out;
  applyThreadPolicy(addon!);
  addon!.matmul(
    plainHeap(backend)!, memoryOffset(backend, inputs.a), memoryOffset(backend, inputs.b), memoryOffset(backend, out),
    plan.batch, plan.batchA, plan.batchB, plan.m, plan.n, plan.k, attrs.transposeA, attrs.transposeB,
    bias ? memoryOffset(backend, bias) : 0, bias ? tf.util.sizeFromShape(bias.shape) : 0, activation, alpha,
  );
  return out;
}

/**
 * The heap, read after makeOutput (which may grow it and so replace the buffer); null when it is not a plain
 * ArrayBuffer (the threaded wasm build shares a SharedArrayBuffer: left to the wasm kernels).
 */
export function plainHeap(backend: WasmBackend): ArrayBuffer | null {
  const buffer = backend.wasm.HEAPU8.buffer;
  return buffer instanceof ArrayBuffer ? buffer : null;
}

function nativeBatchMatMul(args: MatMulArgs): tf.TensorInfo {
  const { a, b } = args.inputs;
  const plan = planMatMul(a, b, args.attrs.transposeA, args.attrs.transposeB);
  if (plan === null || plainHeap(args.backend) === null) return fallback(tf.BatchMatMul, args);
  return runNative(args, plan, undefined, ACTIVATION_CODES.linear, 0);
}

function nativeFusedMatMul(args: MatMulArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const activation = ACTIVATION_CODES[args.attrs.activation ?? "linear"];
  const plan = planMatMul(a, b, args.attrs.transposeA, args.attrs.transposeB);
  const biasLength = bias?.shape.length === 1 ? bias.shape[0] : -1;
  const biasOk = bias == null || (bias.dtype === "float32" && (biasLength === plan?.n || biasLength === 1));
  const unsupported = activation === undefined || preluActivationWeights != null || !biasOk;
  if (plan === null || unsupported || plainHeap(args.backend) === null) {
    return fallback(tf._FusedMatMul, args);
  }
  return runNative(args, plan, bias, activation, args.attrs.leakyreluAlpha ?? 0);
}

function nativeExp(args: ExpArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  if (inputs.x.dtype !== "float32" || plainHeap(backend) === null) return fallback(tf.Exp, args);
  const out = backend.makeOutput(inputs.x.shape, "float32");
  const size = tf.util.sizeFromShape(inputs.x.shape);
  if (size > 0) addon!.exp(plainHeap(backend)!, memoryOffset(backend, inputs.x), memoryOffset(backend, out), size);
  return out;
}

/** Reduced axes as the addon sees them: trailing (row reductions), leading (column reductions) or neither. */
function reductionLayout(x: tf.TensorInfo, axis: number | number[], keepDims: boolean) {
  const rank = x.shape.length;
  const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
  const trailing = axes.length > 0 && axes.every((a, i) => a === rank - axes.length + i);
  const leading = axes.length > 0 && axes.every((a, i) => a === i);
  const [outShape, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  return {
    trailing,
    leading,
    shape: keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape,
    kept: tf.util.sizeFromShape(outShape),
    reduced: tf.util.sizeFromShape(reduceShape),
  };
}

/**
 * Sums over trailing axes (row sums of the tensor seen as [rows, cols]) or over leading axes (column sums: the
 * weight gradients of normalisations); axes in the middle go to the wasm kernel.
 */
function nativeSum(args: SumArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const layout = reductionLayout(x, attrs.axis, attrs.keepDims);
  if (x.dtype !== "float32" || !(layout.trailing || layout.leading) || plainHeap(backend) === null) {
    return fallback(tf.Sum, args);
  }
  const out = backend.makeOutput(layout.shape, "float32");
  const [rows, cols] = layout.trailing ? [layout.kept, layout.reduced] : [layout.reduced, layout.kept];
  const mode = layout.trailing ? ReduceMode.SumRows : ReduceMode.SumColumns;
  if (layout.kept > 0) {
    addon!.reduce(plainHeap(backend)!, memoryOffset(backend, x), memoryOffset(backend, out), rows, cols, mode);
  }
  return out;
}

/** Maxima over trailing axes (the log-softmax's row max); anything else goes to the wasm kernel. */
function nativeMax(args: MaxArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const layout = reductionLayout(x, attrs.reductionIndices, attrs.keepDims);
  if (x.dtype !== "float32" || !layout.trailing || layout.reduced === 0 || plainHeap(backend) === null) {
    return fallback(tf.Max, args);
  }
  const out = backend.makeOutput(layout.shape, "float32");
  if (layout.kept > 0) {
    const [xOffset, outOffset] = [memoryOffset(backend, x), memoryOffset(backend, out)];
    addon!.reduce(plainHeap(backend)!, xOffset, outOffset, layout.kept, layout.reduced, ReduceMode.MaxRows);
  }
  return out;
}
