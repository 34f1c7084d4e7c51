/**
 * Shared fixtures for tests that need a model with a known, stochastic behaviour (not exported from the
 * module's index; tests import this file directly). Used by src/cli/prefs.test.ts and
 * src/rlvr/run.test.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Olmo2Model, configFromPreset, tokenLogprobs } from "../model/index.js";
import type { Tokenizer } from "../tokenizer/index.js";
import { AdamW } from "../train/index.js";
import { lossAndGrads } from "./training.js";

/**
 * A micro model taught (60 full-batch AdamW steps at lr 1e-2 on the assistant tokens, init seed 4) to answer
 * every one of `questions` with "#### 7" or "#### 8" about equally often, then EOS: sampled at temperature 1,
 * each prompt gets both answers, so a ground truth of 7 gives correct and incorrect completions.
 */
export async function coinFlipModel(tokenizer: Tokenizer, questions: readonly string[]): Promise<Olmo2Model> {
  const config = configFromPreset("micro", { vocab_size: tokenizer.vocabSize, eos_token_id: tokenizer.eosId, pad_token_id: tokenizer.padId });
  const model = Olmo2Model.init(config, 4);
  const rows = questions.flatMap((q) => ["#### 7", "#### 8"].map((a) => tokenizer.encodeChat([{ role: "user", content: q }, { role: "assistant", content: a }])));
  const t = Math.max(...rows.map((r) => r.input_ids.length));
  const pad = (xs: number[], v: number) => [...xs, ...new Array<number>(t - xs.length).fill(v)];
  const ids = rows.map((r) => pad(r.input_ids, tokenizer.padId));
  const mask = rows.map((r) => pad(r.assistant_mask, 0).slice(1));
  const optimizer = new AdamW(model.weights, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
  for (let step = 0; step < 60; step++) {
    const { grads } = lossAndGrads(model, () =>
      tf.tidy(() => {
        const inputs = tf.tensor2d(ids.map((r) => r.slice(0, t - 1)), undefined, "int32");
        const targets = tf.tensor2d(ids.map((r) => r.slice(1)), undefined, "int32");
        const m = tf.tensor2d(mask);
        return tf.neg(tf.div(tf.sum(tf.mul(tokenLogprobs(model.forward(inputs), targets), m)), tf.sum(m))) as tf.Scalar;
      }),
    );
    optimizer.step(grads, 1e-2);
    tf.dispose([...grads.values()]);
  }
  optimizer.dispose();
  return model;
}
