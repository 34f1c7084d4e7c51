import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import { namedEntries, type NamedTensors } from "./tensors.js";

/**
 * Clip gradients by their global L2 norm, as `torch.nn.utils.clip_grad_norm_`:
 *
 *   norm = sqrt(Σ_params Σ g²);   coef = min(1, maxNorm / (norm + 1e-6));   g ← g · coef
 *
 * Returns new tensors (the inputs are not disposed: the caller owns them) and the norm *before* clipping,
 * which is what HF logs as `grad_norm`. A non-finite norm gives non-finite gradients, as in PyTorch with
 * `error_if_nonfinite=False`: the caller decides whether to skip the step.
 */
export function clipByGlobalNorm(grads: NamedTensors, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  if (!(maxNorm > 0)) throw new PosttrainError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const entries = namedEntries(grads);
  const norm = globalNorm(grads);
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, g] of entries) clipped.set(name, tf.tidy(() => tf.mul(g, coef)));
  return { grads: clipped, norm };
}

/** sqrt(Σ g²) over all gradient tensors, as a number. */
export function globalNorm(grads: NamedTensors): number {
  const entries = namedEntries(grads);
  if (entries.length === 0) return 0;
  return tf.tidy(() => {
    const squares = entries.map(([, g]) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)).dataSync()[0];
  });
}

/**
 * Sums gradients over the micro-batches of one optimizer step, then scales once:
 * `result(scale)` = scale · Σ_micro g. With per-micro-batch *sum* losses and scale = 1 / (tokens in the
 * whole accumulated batch) this is TRL's token-exact `num_items_in_batch` normalisation; with per-micro-batch
 * *mean* losses and scale = 1 / microBatches it is HF's plain average.
 * `add` copies what it keeps, so the caller still disposes the tensors it passed in.
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private count = 0;

  /** Number of micro-batches added since the last reset. */
  get microBatches(): number {
    return this.count;
  }

  add(grads: NamedTensors): void {
    for (const [name, g] of namedEntries(grads)) {
      const previous = this.sums.get(name);
      if (previous && !sameShape(previous.shape, g.shape)) {
        throw new PosttrainError(`GradientAccumulator: gradient "${name}" changed shape [${previous.shape}] -> [${g.shape}]`);
      }
      this.sums.set(name, previous ? tf.tidy(() => tf.add(previous, g)) : tf.clone(g));
      previous?.dispose();
    }
    this.count += 1;
  }

  /** scale · Σ g as new tensors (owned by the caller); the running sums are cleared. */
  result(scale = 1): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, sum] of this.sums) {
      out.set(name, scale === 1 ? sum : tf.tidy(() => tf.mul(sum, scale)));
      if (scale !== 1) sum.dispose();
    }
    this.sums = new Map();
    this.count = 0;
    return out;
  }

  /** Drop the running sums without producing a result. */
  dispose(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums = new Map();
    this.count = 0;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
