/**
 * Kernels the TensorFlow.js wasm backend (4.22) does not ship but training this model needs.
 *
 * Found by running a full forward + backward of the OLMo-2 model on wasm (see engine.test.ts): the only
 * missing kernel is `UnsortedSegmentSum`, which `tf.gather`'s gradient uses (the embedding gradient and
 * the gradient of the target-logit pick in the cross-entropy).
 *
 * Each kernel reads its inputs straight from the wasm heap and writes its output into a wasm-heap tensor,
 * so nothing falls back to (or needs) the cpu backend.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The slice of the wasm backend's class we use (its type is not exported from the package root). */
interface WasmBackendLike {
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

let registered = false;

/** Registers the missing training kernels on the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: "wasm", kernelFunc: unsortedSegmentSumWasm as tf.KernelFunc });
}
