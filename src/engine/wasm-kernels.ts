/**
 * Kernels the TensorFlow.js wasm backend (4.22) lacks or gets wrong, registered on "wasm".
 *
 * Found by running a full forward + backward of the OLMo-2 model on wasm and comparing with the cpu
 * backend (engine.test.ts):
 * - `UnsortedSegmentSum` is missing; `tf.gather`'s gradient (the embedding gradient) needs it.
 * - `OneHot` with a float dtype writes int32 bit patterns (1 reads back as 1.4e-45): replaced.
 * - `GatherV2` with batchDims > 0 reads the wrong rows or out of bounds, and with batchDims = 0 it is slow
 *   (the embedding lookup of 2048 tokens took 7 ms, 30 ms on the base preset, a row copy takes well under 1):
 *   replaced by row copies for every batchDims.
 * - `Identity` copies its input; autodiff clones every tensor it saves for the backward pass through it,
 *   so training copied each saved activation once more. Replaced by the cpu backend's behaviour: the
 *   output shares the input's buffer (reference-counted, as wasm's Reshape already does).
 *
 * Each kernel reads its inputs straight from the wasm heap and writes its output into a wasm-heap tensor,
 * so nothing falls back to (or needs) the cpu backend.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The slice of the wasm backend's class we use (its type is not exported from the package root). */
interface WasmBackendLike {
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * UnsortedSegmentSum(x, segmentIds, numSegments): out[s, ...] = sum of x[i, ...] over i with segmentIds[i] == s.
 * segmentIds has the shape of x's leading dimensions; ids outside [0, numSegments) are dropped, as in
 * TensorFlow. Output shape [numSegments, ...x.shape[segmentIds.rank:]].
 */
export function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs["x"]!;
  const ids = args.inputs["segmentIds"]!;
  const numSegments = args.attrs!["numSegments"] as number;
  const idRank = ids.shape.length;
  const rowShape = x.shape.slice(idRank);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const numRows = ids.shape.reduce((a, b) => a * b, 1);
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`UnsortedSegmentSum (wasm): unsupported dtype ${x.dtype}`);
  }
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views are taken after makeOutput: an allocation may grow (and so detach) the wasm heap.
  const outView = backend.typedArrayFromHeap(out);
  const xView = backend.typedArrayFromHeap(x);
  const idView = backend.typedArrayFromHeap(ids);
  outView.fill(0);
  for (let r = 0; r < numRows; r++) {
    const s = idView[r]!;
    if (s < 0 || s >= numSegments) continue;
    const src = r * rowSize;
    const dst = s * rowSize;
    for (let j = 0; j < rowSize; j++) outView[dst + j]! += xView[src + j]!;
  }
  return out;
}

/** OneHot(indices, depth, onValue, offValue, dtype): [...indices.shape, depth]; out-of-range ids give an all-off row. */
export function oneHotWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const indices = args.inputs["indices"]!;
  const { depth, onValue, offValue, dtype } = args.attrs as { depth: number; onValue: number; offValue: number; dtype: tf.DataType };
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  const outView = backend.typedArrayFromHeap(out);
  const idView = backend.typedArrayFromHeap(indices);
  outView.fill(offValue);
  for (let i = 0; i < idView.length; i++) {
    const id = idView[i]!;
    if (id >= 0 && id < depth) outView[i * depth + id] = onValue;
  }
  return out;
}

/**
 * GatherV2 with batchDims = bd: out[b, o, m, i] = x[b, o, indices[b, m], i] where b spans x's first bd
 * dims, o the dims up to `axis`, m the remaining index dims and i the dims after `axis`.
 * Output shape x.shape[:axis] + indices.shape[bd:] + x.shape[axis+1:].
 */
function gatherBatchedWasm(backend: WasmBackendLike, x: tf.TensorInfo, indices: tf.TensorInfo, axis: number, batchDims: number): tf.TensorInfo {
  const prod = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const batch = prod(x.shape.slice(0, batchDims));
  const outer = prod(x.shape.slice(batchDims, axis));
  const n = x.shape[axis]!;
  const inner = prod(x.shape.slice(axis + 1));
  const m = prod(indices.shape.slice(batchDims));
  const out = backend.makeOutput([...x.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...x.shape.slice(axis + 1)], x.dtype);
  const outView = backend.typedArrayFromHeap(out);
  const xView = backend.typedArrayFromHeap(x);
  const idView = backend.typedArrayFromHeap(indices);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const id = idView[b * m + j]!;
        if (id < 0 || id >= n) throw new Error(`GatherV2: index ${id} is not in [0, ${n - 1}]`);
        const src = ((b * outer + o) * n + id) * inner;
        const dst = ((b * outer + o) * m + j) * inner;
        outView.set(xView.subarray(src, src + inner), dst);
      }
    }
  }
  return out;
}

/** Identity without a copy: the output is the input's buffer with one more reference. */
export function identityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs["x"]!;
  (args.backend as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let registered = false;

/** Registers the missing and corrected kernels on the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: "wasm", kernelFunc: unsortedSegmentSumWasm as tf.KernelFunc });
  replaceKernel(tf.OneHot, () => oneHotWasm as tf.KernelFunc);
  replaceKernel(tf.Identity, (shipped) => ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
    args.inputs["x"]!.dtype === "string" ? shipped(args as Parameters<tf.KernelFunc>[0]) : identityWasm(args)) as tf.KernelFunc);
  replaceKernel(tf.GatherV2, (shipped) => ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const x = args.inputs["x"]!;
    if (x.dtype === "string") return shipped(args as Parameters<tf.KernelFunc>[0]);
    const realAxis = axis < 0 ? axis + x.shape.length : axis;
    const bd = batchDims < 0 ? batchDims + args.inputs["indices"]!.shape.length : (batchDims ?? 0);
    return gatherBatchedWasm(args.backend as WasmBackendLike, x, args.inputs["indices"]!, realAxis, bd);
  }) as tf.KernelFunc);
}

/** Swaps the wasm kernel `name` for `make(shipped)`, keeping the shipped kernel's setup and dispose hooks. */
function replaceKernel(name: string, make: (shipped: tf.KernelFunc) => tf.KernelFunc): void {
  const shipped = tf.getKernel(name, "wasm");
  if (!shipped) throw new Error(`wasm backend has no ${name} kernel to replace`);
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...shipped, kernelFunc: make(shipped.kernelFunc) });
}
