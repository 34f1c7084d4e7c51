/**
 * The measurements behind `npm run bench`: one training step (forward, cross-entropy, backward, AdamW)
 * and greedy KV-cache generation, on the presets of issue 2, timed the way ../shared/perf's PyTorch
 * anchor was (median of a few steps after warm-up; generation wall time includes prefill).
 */
import * as tf from "@tensorflow/tfjs-core";
import { Olmo2Model, configFromPreset, generate, headDim, parameterCounts, tokenLogprobs } from "../model/index.js";
import { Rng } from "../rng.js";
import { AdamW } from "../train/index.js";

export interface TrainMeasurement {
  preset: string;
  batch: number;
  seq: number;
  /** Median seconds per full step, and its parts. */
  stepS: number;
  gradS: number;
  optimizerS: number;
  tokensPerS: number;
  flopsPerStep: number;
  gflops: number;
  lossFirst: number;
  lossLast: number;
}

export interface GenerateMeasurement {
  preset: string;
  batch: number;
  newTokens: number;
  promptLen: number;
  seconds: number;
  tokensPerS: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * FLOPs of one training step, the anchor's formula:
 * 6 * N_matmul * tokens + 12 * L * (H * head_dim) * seq * tokens, where N_matmul counts every matmul weight
 * (attention, MLP, lm_head; not the embedding lookup) and the second term is QK^T and PV over the full
 * seq x seq square, forward and backward.
 */
export function trainFlopsPerStep(preset: string, batch: number, seq: number): number {
  const c = configFromPreset(preset);
  const tokens = batch * seq;
  return 6 * parameterCounts(c).matmul * tokens + 12 * c.num_hidden_layers * c.num_attention_heads * headDim(c) * seq * tokens;
}

function randomIds(rng: Rng, rows: number, cols: number, vocab: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.int(0, vocab - 1)));
}

/** Times `steps` training steps after `warmup` ones, AdamW (lr 3e-4, betas 0.9/0.95, wd 0.1) as the anchor. */
export async function measureTraining(preset: string, batch: number, seq: number, steps: number, warmup: number, checkpoint = false): Promise<TrainMeasurement> {
  const config = configFromPreset(preset);
  const model = Olmo2Model.init(config, 0);
  const optimizer = new AdamW(model.weights, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
  const ids = tf.tensor2d(randomIds(new Rng(0), batch, seq, config.vocab_size), [batch, seq], "int32");
  // Labels are the next tokens; the last position has none (HF's loss): it gets a dummy label and weight 0,
  // so the logits need no [B, T-1, V] copy.
  const targets = tf.concat([tf.slice(ids, [0, 1], [batch, seq - 1]), tf.zeros([batch, 1], "int32")], 1);
  const weights = tf.concat([tf.fill([batch, seq - 1], 1 / (batch * (seq - 1))), tf.zeros([batch, 1])], 1);
  const names = model.names();
  const lossFn = () => tf.tidy(() => tf.neg(tf.sum(tf.mul(tokenLogprobs(model.forward(ids, { checkpoint }), targets as tf.Tensor2D), weights))) as tf.Scalar);
  const records: { step: number; grad: number; opt: number; loss: number }[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(lossFn, model.trainableVariables());
    const loss = (await value.data())[0]!;
    const t1 = performance.now();
    const byName = new Map(names.map((n) => [n, grads[model.weights.get(n)!.name]!]));
    optimizer.step(byName, 3e-4);
    await model.weights.get(names[0]!)!.data(); // wait for the update to finish
    const t2 = performance.now();
    value.dispose();
    tf.dispose(Object.values(grads));
    records.push({ step: (t2 - t0) / 1000, grad: (t1 - t0) / 1000, opt: (t2 - t1) / 1000, loss });
  }
  const measured = records.slice(warmup);
  const stepS = median(measured.map((r) => r.step));
  const flopsPerStep = trainFlopsPerStep(preset, batch, seq);
  tf.dispose([ids, targets, weights]);
  optimizer.dispose();
  model.dispose();
  return {
    preset, batch, seq, stepS,
    gradS: median(measured.map((r) => r.grad)),
    optimizerS: median(measured.map((r) => r.opt)),
    tokensPerS: (batch * seq) / stepS,
    flopsPerStep,
    gflops: flopsPerStep / stepS / 1e9,
    lossFirst: records[0]!.loss,
    lossLast: records[records.length - 1]!.loss,
  };
}

/** Median wall time of greedy generation (prefill included), no early stop, after one short warm-up. */
export async function measureGeneration(preset: string, batch: number, promptLen: number, newTokens: number, reps: number): Promise<GenerateMeasurement> {
  const config = configFromPreset(preset);
  const model = Olmo2Model.init(config, 0);
  const prompts = randomIds(new Rng(1), batch, promptLen, config.vocab_size);
  const opts = { maxNewTokens: newTokens, temperature: 0, eosTokenId: [] as number[] };
  await generate(model, prompts, { ...opts, maxNewTokens: 8 });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = await generate(model, prompts, opts);
    times.push((performance.now() - t0) / 1000);
    if (out.outputIds.some((row) => row.length !== newTokens)) throw new Error("generation stopped early");
  }
  model.dispose();
  const seconds = median(times);
  return { preset, batch, newTokens, promptLen, seconds, tokensPerS: (batch * newTokens) / seconds };
}
