/** Shared helpers for the model tests (not exported from the module's index). */
import * as tf from "@tensorflow/tfjs-core";
import { Olmo2Model } from "./olmo2.js";
import { tokenLogprobs } from "./logprobs.js";

/** Mean next-token NLL of `ids` under the model: the SFT loss on unmasked data. */
export function meanNll(model: Olmo2Model, ids: number[][]): tf.Scalar {
  return tf.tidy(() => {
    const t = ids[0]!.length;
    const inputs = tf.tensor2d(ids.map((r) => r.slice(0, t - 1)), undefined, "int32");
    const targets = tf.tensor2d(ids.map((r) => r.slice(1)), undefined, "int32");
    return tf.neg(tf.mean(tokenLogprobs(model.forward(inputs), targets))) as tf.Scalar;
  });
}

/** Gradients of meanNll by HF tensor name. */
export function gradientsByName(model: Olmo2Model, ids: number[][]): Map<string, Float32Array> {
  const { value, grads } = tf.variableGrads(() => meanNll(model, ids), model.trainableVariables());
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.weights) out.set(name, grads[v.name]!.dataSync() as Float32Array);
  value.dispose();
  tf.dispose(Object.values(grads));
  return out;
}
