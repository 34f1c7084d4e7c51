import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";

/**
 * Run `fn` and throw if the number of live tensors changed: the check tfjs-core's own tests use
 * (`tf.memory().numTensors` flat). Whatever `fn` returns is disposed first when it is a tensor or
 * a container of tensors, so a function that returns its result is not counted as leaking.
 */
export async function assertNoLeak<T>(fn: () => T | Promise<T>, label = "function"): Promise<void> {
  const before = tf.memory().numTensors;
  const result = await fn();
  disposeContainer(result);
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new PosttrainError(`${label} leaked ${after - before} tensor(s) (${before} before, ${after} after)`);
  }
}

function disposeContainer(value: unknown): void {
  if (value instanceof tf.Tensor) {
    value.dispose();
  } else if (value instanceof Map) {
    for (const v of value.values()) disposeContainer(v);
  } else if (Array.isArray(value)) {
    for (const v of value) disposeContainer(v);
  } else if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) disposeContainer(v);
  }
}
