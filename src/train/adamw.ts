import * as tf from "@tensorflow/tfjs-core";
import { fusedKernelsActive, runFused } from "../engine/index.js";
import { PosttrainError } from "../errors.js";
import { namedEntries, type NamedTensors } from "./tensors.js";

/**
 * Which parameters get weight decay. Hugging Face's Trainer decays every weight except biases and
 * normalisation weights (`get_decay_parameter_names`: names matching bias / layernorm / rmsnorm / `norm`);
 * embeddings and `lm_head` are decayed. For OLMo 2 that exempts `*_layernorm.weight`, `q_norm`, `k_norm`
 * and `model.norm.weight`.
 */
export function hfDecayMask(name: string): boolean {
  return !/bias|layernorm|rmsnorm|(?:^|\.)norm(?:$|\.)|_norm(?:$|\.)/i.test(name);
}

export interface AdamWOptions {
  /** β1, β2 (PyTorch / HF default 0.9, 0.999). */
  beta1?: number;
  beta2?: number;
  /** Added to sqrt(v̂) (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay λ (default 0, as HF TrainingArguments and the Tülu 3 recipes). */
  weightDecay?: number;
  /** true = this parameter is decayed (default {@link hfDecayMask}). */
  decay?: (name: string) => boolean;
}

/** Optimizer state as plain arrays: enough to resume bit-exactly. Keys `<param>.exp_avg` / `<param>.exp_avg_sq`. */
export interface AdamWState {
  step: number;
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter 2019, arXiv:1711.05101), with PyTorch's
 * `torch.optim.AdamW` update order (single-tensor path), for step t = 1, 2, ...:
 *
 *   p ← p · (1 − lr·λ)                       (only where decay(name))
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
 *
 * Parameters are given by name; `step` takes gradients keyed by the same names. A parameter without a
 * gradient in a step is left untouched (its moments too), as PyTorch does for `grad is None`.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decay: (name: string) => boolean;
  private readonly params: Map<string, tf.Variable>;
  private readonly moments = new Map<string, Moments>();
  private stepsTaken = 0;
  private disposed = false;

  constructor(params: Map<string, tf.Variable> | Record<string, tf.Variable>, options: AdamWOptions = {}) {
    this.params = params instanceof Map ? new Map(params) : new Map(Object.entries(params));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decay = options.decay ?? hfDecayMask;
    for (const [key, value] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(value >= 0 && value < 1)) throw new PosttrainError(`AdamW: ${key} must be in [0, 1), got ${value}`);
    }
    if (!(this.eps > 0)) throw new PosttrainError(`AdamW: eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new PosttrainError(`AdamW: weightDecay must be >= 0, got ${this.weightDecay}`);
    // Moments are allocated up front (PyTorch does it lazily) so memory is known at construction and a
    // training step allocates nothing that outlives it.
    for (const [name, param] of this.params) this.moments.set(name, zeroMoments(param.shape));
  }

  /** Number of optimizer steps taken so far (PyTorch's `state["step"]`). */
  get stepCount(): number {
    return this.stepsTaken;
  }

  /** One update with learning rate `lr`. Gradients are read, not disposed (the caller owns them). */
  step(grads: NamedTensors, lr: number): void {
    if (this.disposed) throw new PosttrainError("AdamW.step: optimizer was disposed");
    if (!Number.isFinite(lr) || lr < 0) throw new PosttrainError(`AdamW.step: learning rate must be finite and >= 0, got ${lr}`);
    const entries = namedEntries(grads);
    for (const [name, grad] of entries) {
      const param = this.params.get(name);
      if (!param) throw new PosttrainError(`AdamW.step: gradient for unknown parameter "${name}"`);
      if (!arraysEqual(grad.shape, param.shape)) {
        throw new PosttrainError(`AdamW.step: gradient "${name}" has shape [${grad.shape}], parameter has [${param.shape}]`);
      }
    }
    this.stepsTaken += 1;
    const t = this.stepsTaken;
    const biasCorrection1 = 1 - this.beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    const stepSize = lr / biasCorrection1;
    // With the fused kernels (wasm + addon) each parameter's update is one pass over p, g, m and v instead of a
    // dozen tfjs ops; same formula, same float32 operation order.
    const fused = fusedKernelsActive();
    for (const [name, grad] of entries) {
      const param = this.params.get(name)!;
      const { m, v } = this.moments.get(name)!;
      const decayFactor = this.decay(name) ? 1 - lr * this.weightDecay : 1;
      if (fused && grad.dtype === "float32") {
        tf.tidy(() => {
          const scalars = { decay: decayFactor, beta1: this.beta1, oneMinusBeta1: 1 - this.beta1, beta2: this.beta2, oneMinusBeta2: 1 - this.beta2 };
          const [p2, m2, v2] = runFused("adamW", { p: param, g: grad, m, v }, { ...scalars, stepSize, bc2Sqrt: biasCorrection2Sqrt, eps: this.eps });
          param.assign(p2!);
          m.assign(m2!);
          v.assign(v2!);
        });
        continue;
      }
      tf.tidy(() => {
        const g = grad.dtype === "float32" ? grad : tf.cast(grad, "float32");
        const decayed = decayFactor === 1 ? param : tf.mul(param, decayFactor);
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), biasCorrection2Sqrt), this.eps);
        param.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** Copy of the state as plain arrays. */
  exportState(): AdamWState {
    const tensors: AdamWState["tensors"] = {};
    for (const [name, { m, v }] of this.moments) {
      tensors[`${name}.exp_avg`] = { shape: [...m.shape], data: new Float32Array(m.dataSync()) };
      tensors[`${name}.exp_avg_sq`] = { shape: [...v.shape], data: new Float32Array(v.dataSync()) };
    }
    return { step: this.stepsTaken, tensors };
  }

  /**
   * Restore a state written by {@link exportState}; names and shapes must match this optimizer's parameters.
   * Parameters absent from the state start from zero moments (as if they had never had a gradient).
   */
  importState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new PosttrainError(`AdamW state: bad step ${state.step}`);
    const restored = new Map<string, { m?: tf.Tensor; v?: tf.Tensor }>();
    try {
      for (const [key, { shape, data }] of Object.entries(state.tensors)) {
        const match = /^(.*)\.(exp_avg|exp_avg_sq)$/.exec(key);
        const param = match ? this.params.get(match[1]) : undefined;
        if (!match || !param) throw new PosttrainError(`AdamW state: tensor "${key}" names no parameter of this model`);
        if (!arraysEqual(shape, param.shape)) {
          throw new PosttrainError(`AdamW state: tensor "${key}" has shape [${shape}], parameter has [${param.shape}]`);
        }
        const slot = restored.get(match[1]) ?? {};
        slot[match[2] === "exp_avg" ? "m" : "v"] = tf.tensor(data, shape, "float32");
        restored.set(match[1], slot);
      }
      for (const [name, slot] of restored) {
        if (!slot.m || !slot.v) throw new PosttrainError(`AdamW state: "${name}" needs both exp_avg and exp_avg_sq`);
      }
      for (const [name, { m, v }] of this.moments) {
        const slot = restored.get(name);
        if (slot) {
          m.assign(slot.m!);
          v.assign(slot.v!);
        } else {
          tf.tidy(() => {
            m.assign(tf.zerosLike(m));
            v.assign(tf.zerosLike(v));
          });
        }
      }
      this.stepsTaken = state.step;
    } finally {
      for (const slot of restored.values()) {
        slot.m?.dispose();
        slot.v?.dispose();
      }
    }
  }

  /** Free the moment buffers (the parameters belong to the model and are not touched). */
  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
    this.disposed = true;
  }
}

function zeroMoments(shape: number[]): Moments {
  // tidy frees the zeros tensors; the variables keep their own reference to the data.
  return tf.tidy(() => ({ m: tf.variable(tf.zeros(shape), false), v: tf.variable(tf.zeros(shape), false) }));
}

function arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
