/**
 * Preallocated per-layer key/value buffers [B, KV, maxLen, hd] (keys after RoPE), written in place.
 *
 * TensorFlow.js tensors are immutable by contract, but the wasm and cpu backends keep a tensor's data
 * in a plain typed array; the cache owns its buffers exclusively, so it writes new rows straight into
 * them instead of concatenating a growing tensor every token. On any other backend (tfjs-node) it
 * falls back to rebuilding the buffer with slice + concat.
 */
import * as tf from "@tensorflow/tfjs-core";

interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
interface CpuBackend {
  data: { get(dataId: object): { values?: Float32Array } };
}

/** A writable view of a float32 tensor's storage on the wasm or cpu backend. */
function writableView(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown;
  if (tf.getBackend() === "wasm") return (backend as HeapBackend).typedArrayFromHeap(t);
  const values = (backend as CpuBackend).data.get(t.dataId).values;
  if (!values) throw new Error("KV cache buffer has no cpu storage");
  return values;
}

export class KVCache {
  readonly keys: tf.Tensor4D[] = [];
  readonly values: tf.Tensor4D[] = [];

  /**
   * `inPlace: false` forces the slice + concat path (what non-wasm, non-cpu backends use). In place, the buffers
   * keep their identity, so a native step (src/model/decode-native.ts) may write them directly.
   */
  constructor(
    readonly layers: number,
    readonly batch: number,
    readonly kvHeads: number,
    readonly maxLen: number,
    readonly headDim: number,
    readonly inPlace = true,
  ) {
    for (let i = 0; i < layers; i++) {
      this.keys.push(tf.keep(tf.zeros([batch, kvHeads, maxLen, headDim])));
      this.values.push(tf.keep(tf.zeros([batch, kvHeads, maxLen, headDim])));
    }
  }

  /**
   * Stores k/v [B, KV, t, hd] at slots offset..offset+t-1 of layer `layer`; returns the full buffers
   * [B, KV, maxLen, hd] to attend over (unfilled slots must be masked by the caller).
   */
  write(layer: number, k: tf.Tensor4D, v: tf.Tensor4D, offset: number): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const t = k.shape[2];
    if (offset + t > this.maxLen) throw new Error(`KV cache overflow: ${offset + t} positions, capacity ${this.maxLen}`);
    this.keys[layer] = this.store(this.keys[layer]!, k, offset);
    this.values[layer] = this.store(this.values[layer]!, v, offset);
    return { k: this.keys[layer]!, v: this.values[layer]! };
  }

  private store(buffer: tf.Tensor4D, rows: tf.Tensor4D, offset: number): tf.Tensor4D {
    // Read the rows before taking the view: nothing may allocate on the wasm heap (and so detach the view)
    // between taking it and writing through it.
    if (this.inPlace && (tf.getBackend() === "wasm" || tf.getBackend() === "cpu")) {
      const src = rows.dataSync() as Float32Array;
      const view = writableView(buffer);
      const [b, kv, t, hd] = rows.shape;
      for (let bh = 0; bh < b * kv; bh++) {
        const from = bh * t * hd;
        view.set(src.subarray(from, from + t * hd), (bh * this.maxLen + offset) * hd);
      }
      return buffer;
    }
    const next = tf.keep(
      tf.tidy(() => {
        const parts = [tf.slice(buffer, [0, 0, 0, 0], [-1, -1, offset, -1]), rows];
        const rest = this.maxLen - offset - rows.shape[2];
        if (rest > 0) parts.push(tf.slice(buffer, [0, 0, offset + rows.shape[2], 0], [-1, -1, rest, -1]));
        return tf.concat(parts, 2) as tf.Tensor4D;
      }),
    );
    buffer.dispose();
    return next;
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t.dispose();
    this.keys.length = 0;
    this.values.length = 0;
  }
}
