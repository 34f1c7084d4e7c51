/**
 * Backend selection for TensorFlow.js.
 *
 * `auto` tries the native TensorFlow bindings a user may have installed (`@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`; neither is a dependency, since their libtensorflow download fails on many
 * machines), then the embedded WebAssembly backend, then the pure-JS cpu backend as a last resort.
 *
 * Importing this module also registers TensorFlow.js's gradient functions (they ship with the
 * `@tensorflow/tfjs` union package, not with tfjs-core's Node bundle) so `tf.grad` works.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { registerNativeKernels } from "./native.js";
import { registerFusedKernels } from "./native-fused.js";
import { registerWasmTrainingKernels } from "./wasm-kernels.js";

export type BackendName = "auto" | "tensorflow" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["auto", "tensorflow", "wasm", "cpu"];

export interface BackendInfo {
  /** The TensorFlow.js backend in use: "tensorflow", "wasm" or "cpu". */
  name: string;
  /** Where it came from, e.g. "@tensorflow/tfjs-node" or "embedded". */
  source: string;
  /** True when the native kernels (src/engine/native.ts) registered themselves on wasm. */
  nativeKernels: boolean;
}

let current: BackendInfo | null = null;

/** Tries to load a native binding package; true if it loaded and registered the "tensorflow" backend. */
async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
  } catch {
    return false;
  }
  return tf.findBackendFactory("tensorflow") != null;
}

async function activate(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Selects and initialises a backend. Returns its name ("tensorflow", "wasm" or "cpu").
 * An explicitly requested backend that cannot start is an error; `auto` falls through the list.
 */
export async function initBackend(name: BackendName = "auto"): Promise<string> {
  return (await initBackendInfo(name)).name;
}

/** Like initBackend, with where the backend came from and whether native kernels are active. */
export async function initBackendInfo(name: BackendName = "auto"): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) throw new Error(`unknown backend '${name}' (expected ${BACKEND_NAMES.join(", ")})`);
  let source = "embedded";
  let chosen: string | null = null;
  if (name === "auto" || name === "tensorflow") {
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      if ((await tryNative(pkg)) && (await activate("tensorflow"))) {
        chosen = "tensorflow";
        source = pkg;
        break;
      }
    }
    if (!chosen && name === "tensorflow") {
      throw new Error("backend 'tensorflow' needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu installed (npm install @tensorflow/tfjs-node)");
    }
  }
  if (!chosen && (name === "auto" || name === "wasm")) {
    registerWasmTrainingKernels();
    if (await activate("wasm")) chosen = "wasm";
    else if (name === "wasm") throw new Error("the wasm backend failed to initialise");
  }
  if (!chosen) {
    if (!(await activate("cpu"))) throw new Error("the cpu backend failed to initialise");
    chosen = "cpu";
  }
  await tf.ready();
  const nativeKernels = chosen === "wasm" ? registerNativeKernels() : false;
  if (nativeKernels) registerFusedKernels();
  current = { name: chosen, source, nativeKernels };
  return current;
}

/** The backend chosen by the last initBackend call, or null before any. */
export function currentBackend(): BackendInfo | null {
  return current;
}

/** One human-readable line naming the backend, for CLIs to print at start. */
export function describeBackend(info: BackendInfo): string {
  const extra = info.name === "wasm" ? (info.nativeKernels ? ", native kernels" : ", wasm kernels") : "";
  return `backend: ${info.name} (${info.source}${extra})`;
}

export { registerWasmTrainingKernels } from "./wasm-kernels.js";
export { FUSED_KERNELS, fusedKernelCalls, fusedKernelsActive, registerFusedKernels, runFused, setFusedKernelsEnabled } from "./native-fused.js";
export { registerNativeKernels, unregisterNativeKernels } from "./native.js";
export {
  type Olmo2StepDims, type Olmo2StepInputs, type Olmo2StepLayer, type Olmo2StepWeights, configureNativeDecode,
  decodeThreads, nativeOlmo2Step,
  nativeOlmo2StepAvailable, nativeOlmo2StepCalls, nativeRowStats, type RowStats,
} from "./native-decode.js";
