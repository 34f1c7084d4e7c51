import * as tf from "@tensorflow/tfjs-core";

/** Gradients (or any per-parameter tensors) keyed by parameter name. */
export type NamedTensors = Map<string, tf.Tensor> | tf.NamedTensorMap;

/** Iterate a Map or a plain NamedTensorMap the same way. */
export function namedEntries(tensors: NamedTensors): [string, tf.Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

/** Dispose every tensor of a named map (a Map or a NamedTensorMap). */
export function disposeNamed(tensors: NamedTensors): void {
  for (const [, t] of namedEntries(tensors)) t.dispose();
}

/**
 * Identity in the forward pass, zero gradient in the backward pass: PyTorch's `x.detach()`.
 * tfjs-core has no stopGradient op, so this is a custom gradient that returns zeros.
 * Used for the old-policy log-probs when `num_iterations == 1` (TRL: `per_token_logps.detach()`)
 * and for logged rewards that must never feed a gradient.
 */
export const stopGradient: <T extends tf.Tensor>(x: T) => T = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as <T extends tf.Tensor>(x: T) => T;

/**
 * `tf.tidy` for a function returning a typed object of tensors (an interface, which TypeScript will not
 * accept as a `TensorContainer`): intermediates are freed, every tensor in the result is kept.
 */
export function tidyObject<T extends object>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
