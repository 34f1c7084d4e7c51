/**
 * The rlvr stage: reinforcement learning with verifiable rewards on the input model.
 *
 *   load      prompts (chat-templated), the policy, a frozen reference when beta > 0, a value model for PPO
 *   before    held-out greedy accuracy per verifier (eval_data), metrics row 0
 *   each step prompts_per_step prompts -> rollouts with the KV cache -> verifier rewards on the responses
 *             (worker pool, per-check timeout) -> optionally only the groups with signal, refilled from more
 *             prompts (sampling.ts) -> GRPO (num_generations per prompt) or PPO (one per prompt) update -> a
 *             metrics row -> held-out eval every eval_every steps -> checkpoint every checkpoint_every steps
 *             (weights, AdamW moments, data position, sampling RNG, retired prompts)
 *   after     held-out eval, stageDir/model, heldout.json with before/after accuracy, the summary
 *
 * `kl` is the masked token mean of the chosen estimator between policy and reference on the step's rollouts:
 * every step when a reference is kept (beta > 0; from the loss), and at eval steps only when it is not (beta 0:
 * the input model is loaded just for that measurement, see kl-probe.ts).
 *
 * Entropy in the metrics is approximate: −mean log p of the sampled tokens under the untempered policy (an
 * unbiased estimate of the per-token entropy at temperature 1, biased otherwise).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { batchIndices, type IndexBatch, type Position } from "../data/index.js";
import { PosttrainError } from "../errors.js";
import type { Olmo2Model } from "../model/index.js";
import { deriveSeed, loadTrainingCheckpoint, saveTrainingCheckpoint, writeJsonAtomic, type RlvrStage } from "../recipe/index.js";
import { Rng, type RngState } from "../rng.js";
import type { StageContext, StageResult } from "../recipe/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import { AdamW, lrAt, type MetricsRow } from "../train/index.js";
import { VerifierPool } from "../verifiers/index.js";
import { heldOutColumns, heldOutEval, rlvrPrompts, type HeldOutScores } from "./data.js";
import { grpoUpdate, type UpdateMetrics } from "./grpo.js";
import { rolloutKl } from "./kl-probe.js";
import { ppoUpdate, valueModelFrom } from "./ppo.js";
import { poolChecker, scoreResponses, summarizeRewards, warmUpPool } from "./rewards.js";
import { rollout, type RolloutSample } from "./rollout.js";
import { collectGroups, solvedPrompts, type ScoredRound } from "./sampling.js";

/** Verifier worker threads: the machines this runs on have 2 cores, and rollouts and checks alternate. */
const VERIFIER_WORKERS = 2;

interface RlvrExtra {
  rng: RngState;
  before: HeldOutScores | null;
  /** Prompt indices no longer sampled (no_resampling_pass_rate). */
  excluded?: number[];
}

export async function runRlvr(ctx: StageContext, config: RlvrStage): Promise<StageResult> {
  const where = `stages.${config.name}`;
  const ppo = config.algorithm === "ppo";
  const groupSize = ppo ? 1 : config.num_generations;
  const tokenizer = await Tokenizer.load(ctx.tokenizerDir);
  const policy = await loadModel(ctx.inputModelDir);
  const owned: Olmo2Model[] = [policy];
  const optimizers: AdamW[] = [];
  const pool = new VerifierPool({ concurrency: VERIFIER_WORKERS, timeBudgetMs: config.verifier_timeout_s * 1000 });
  try {
    const datasets = config.datasets;
    const { prompts, dropped } = await rlvrPrompts(config.data, tokenizer, {
      maxContext: policy.config.max_position_embeddings,
      maxResponseLength: config.max_response_length,
      datasets,
    });
    if (prompts.length === 0) {
      throw new PosttrainError(`${where}.data: no prompt${datasets ? ` of ${datasets.join(", ")}` : ""} fits max_response_length ${config.max_response_length} in the model's context`);
    }
    const reference = config.beta > 0 ? await loadModel(ctx.inputModelDir) : null;
    if (reference) owned.push(reference);
    const value = ppo ? await valueModelFrom(policy) : null;
    if (value) owned.push(value);
    const adam = (model: Olmo2Model) => {
      const o = new AdamW(model.weights, { beta1: config.adam_beta1, beta2: config.adam_beta2, eps: config.adam_epsilon, weightDecay: config.weight_decay });
      optimizers.push(o);
      return o;
    };
    const optimizer = adam(policy);
    const valueOptimizer = value ? adam(value) : null;
    ctx.log(
      `${config.algorithm}: ${prompts.length} prompts (${dropped} too long dropped), ${config.steps} steps x ${config.prompts_per_step} prompts x ` +
        `${groupSize} samples, T ${config.temperature}, max ${config.max_response_length} tokens, beta ${config.beta}` +
        (ppo && config.num_generations !== 1 ? " (ppo: one sample per prompt, num_generations ignored)" : ""),
    );

    // Resume point: weights, moments, data position, sampling RNG, the "before" scores.
    const checkpointDir = join(ctx.stageDir, "checkpoint");
    const valueCheckpointDir = join(ctx.stageDir, "checkpoint-value");
    const restored = ctx.resume ? await loadTrainingCheckpoint(checkpointDir, policy, optimizer) : null;
    if (restored && value) {
      const v = await loadTrainingCheckpoint(valueCheckpointDir, value, valueOptimizer!);
      if (v?.step !== restored.step) throw new PosttrainError(`${valueCheckpointDir}: value checkpoint at step ${v?.step ?? "none"}, policy at ${restored.step}`);
    }
    const startStep = restored?.step ?? 0;
    const extra = restored?.extra as RlvrExtra | undefined;
    if (restored) ctx.log(`resumed from ${checkpointDir} at step ${startStep}`);
    const rng = new Rng(extra?.rng ?? deriveSeed(ctx.seed, "rollouts"));
    const excluded = new Set<number>(extra?.excluded ?? []);
    const dataSeed = config.data_seed ?? deriveSeed(ctx.recipe.seed, "data", config.name);
    const batches = batchIndices(prompts.length, config.prompts_per_step, dataSeed, (restored?.data as Position | undefined) ?? { epoch: 0, index: 0 });
    const metrics = ctx.openMetrics(restored ? startStep : undefined);
    const evalBatch = config.prompts_per_step * groupSize;
    // Held-out scores; the generations behind the first and last go to heldout-before/after.jsonl.
    const evaluate = async (keep: "before" | "after" | null): Promise<HeldOutScores> => {
      const { scores, samples } = await heldOutEval(policy, tokenizer, config, evalBatch, ctx.seed);
      if (keep) writeFileSync(join(ctx.stageDir, `heldout-${keep}.jsonl`), samples.map((x) => JSON.stringify(x) + "\n").join(""));
      return scores;
    };
    const hasEval = (config.eval_data ?? []).length > 0;

    await warmUpPool(pool, VERIFIER_WORKERS);
    let before = extra?.before ?? null;
    if (!restored && hasEval) {
      before = await evaluate("before");
      metrics.append({ step: 0, ...heldOutColumns(before) });
      ctx.log(`held-out before: ${JSON.stringify(before.accuracy)}`);
    }

    const updatesPerStep = ppo ? config.num_ppo_epochs : config.num_iterations;
    const schedule = {
      lr: config.lr,
      totalSteps: config.steps * updatesPerStep,
      kind: config.schedule,
      warmupRatio: config.warmup_ratio,
      ...(config.schedule === "constant" ? {} : { minLrRatio: config.min_lr_ratio }),
    };
    const progress = ctx.progress(config.steps);
    let after: HeldOutScores | null = null;
    const klHistory: number[] = [];
    let lastRow: MetricsRow | null = null;
    let position: Position = (restored?.data as Position | undefined) ?? { epoch: 0, index: 0 };
    for (let step = startStep + 1; step <= config.steps; step++) {
      // One rollout round: the next prompts, prompts_per_step x groupSize samples, their verifier rewards.
      const draw = async (): Promise<ScoredRound> => {
        const next = batches.next().value as IndexBatch;
        position = next.next;
        const indices = next.indices.filter((i) => !excluded.has(i));
        const stepPrompts = indices.map((i) => prompts[i]!);
        if (stepPrompts.length === 0) return { samples: [], scored: [], tokens: 0, rolloutSeconds: 0, rewardSeconds: 0 };
        const rolled = await rollout(policy, stepPrompts.map((p) => p.ids), {
          numGenerations: groupSize,
          temperature: config.temperature,
          maxResponseLength: config.max_response_length,
          eosId: tokenizer.eosId,
          rng,
        });
        const rewardStarted = performance.now();
        const scored = await scoreResponses(
          poolChecker(pool),
          rolled.samples.map((s) => ({ row: stepPrompts[s.promptIndex]!.row, response: responseText(tokenizer, s), truncated: s.finishReason !== "eos" })),
          { correctReward: config.correct_reward, formatReward: config.format_reward, nonStopPenalty: config.non_stop_penalty },
        );
        if (config.no_resampling_pass_rate !== null) {
          for (const i of solvedPrompts(scored, groupSize, config.no_resampling_pass_rate)) excluded.add(indices[i]!);
        }
        return { samples: rolled.samples, scored, tokens: rolled.tokens, rolloutSeconds: rolled.seconds, rewardSeconds: (performance.now() - rewardStarted) / 1000 };
      };
      const collected = await collectGroups(draw, {
        filterZeroStd: config.filter_zero_std_samples,
        activeSampling: config.active_sampling,
        maxRounds: config.max_num_gen_batches,
        groupSize,
        groupsWanted: config.prompts_per_step,
      });
      const { train, sampled } = collected;

      const evalStep = step % config.eval_every === 0 || step === config.steps;
      // No reference kept (beta 0): measure the KL on this step's rollouts at eval steps, before the update.
      const probedKl = !reference && evalStep ? await klToInput(ctx.inputModelDir, policy, sampled.samples, tokenizer.padId, config) : null;
      const rewards = train.scored.map((s) => s.reward);
      const lrFor = (update: number) => lrAt((step - 1) * updatesPerStep + update, schedule);
      const update: UpdateMetrics =
        train.samples.length === 0
          ? NO_UPDATE
          : value
            ? ppoUpdate({ policy, reference, value, policyOptimizer: optimizer, valueOptimizer: valueOptimizer! }, train.samples, rewards, ppoConfigOf(config), tokenizer.padId, lrFor)
            : grpoUpdate({ policy, reference, optimizer }, train.samples, rewards, grpoConfigOf(config), tokenizer.padId, lrFor);

      const row: MetricsRow = { step, lr: lrFor(0), ...stepColumns(sampled, update) };
      if (!ppo) Object.assign(row, { frac_reward_zero_std: collected.zeroStdShare, sampling_rounds: collected.rounds, groups_trained: train.samples.length / groupSize });
      if (config.no_resampling_pass_rate !== null) row.prompts_excluded = excluded.size;
      if (probedKl !== null) row.kl = probedKl;
      if (typeof row.kl === "number") klHistory.push(row.kl);
      if (hasEval && evalStep) {
        after = await evaluate(step === config.steps ? "after" : null);
        Object.assign(row, heldOutColumns(after));
        ctx.log(`step ${step}: held-out ${JSON.stringify(after.accuracy)}`);
      }
      metrics.append(row);
      lastRow = row;
      progress.update({ step, loss: update.loss, tokens: sampled.tokens, extra: { reward: Number(row.reward_mean) } });
      if (step % config.checkpoint_every === 0 && step < config.steps) {
        const state = { step, data: position, extra: { rng: rng.state(), before, excluded: [...excluded] } satisfies RlvrExtra };
        if (value) await saveTrainingCheckpoint(valueCheckpointDir, value, valueOptimizer!, { step, data: null });
        await saveTrainingCheckpoint(checkpointDir, policy, optimizer, state);
      }
    }
    progress.stop();

    const modelDir = join(ctx.stageDir, "model");
    await saveModel(modelDir, policy, { tokenizer });
    const heldout = { before, after };
    writeJsonAtomic(join(ctx.stageDir, "heldout.json"), heldout);
    const summary = {
      algorithm: config.algorithm,
      steps: config.steps,
      ...prefixed("before/", before?.accuracy),
      ...prefixed("after/", after?.accuracy),
      kl_last: lastRow?.kl ?? null,
      kl_max: klHistory.length > 0 ? Math.max(...klHistory) : null,
      reward_mean_last: lastRow?.reward_mean ?? null,
    };
    writeFileSync(join(ctx.stageDir, "summary.txt"), JSON.stringify(summary, null, 2) + "\n");
    return { modelDir, summary };
  } finally {
    await pool.close();
    for (const o of optimizers) o.dispose();
    for (const m of owned) m.dispose();
  }
}

/** KL of the policy to the input model on `samples` (see kl-probe.ts); the input model is loaded and freed here. */
async function klToInput(inputModelDir: string, policy: Olmo2Model, samples: readonly RolloutSample[], padId: number, config: RlvrStage): Promise<number> {
  const reference = await loadModel(inputModelDir);
  try {
    return rolloutKl(policy, reference, samples, { padId, temperature: config.temperature, estimator: config.kl_estimator });
  } finally {
    reference.dispose();
  }
}

/** The response as the verifier sees it: its tokens decoded, without the EOS that ended it. */
export function responseText(tokenizer: Tokenizer, sample: Pick<RolloutSample, "responseIds" | "finishReason">): string {
  const ids = sample.finishReason === "eos" ? sample.responseIds.slice(0, -1) : sample.responseIds;
  return tokenizer.decode(ids);
}

function grpoConfigOf(c: RlvrStage) {
  return {
    numGenerations: c.num_generations,
    temperature: c.temperature,
    lossType: c.loss_type,
    scaleRewards: c.scale_rewards,
    epsilon: c.epsilon,
    epsilonHigh: c.epsilon_high,
    beta: c.beta,
    klEstimator: c.kl_estimator,
    numIterations: c.num_iterations,
    microBatches: c.gradient_accumulation_steps,
    maxResponseLength: c.max_response_length,
    maxGradNorm: c.max_grad_norm,
  };
}

function ppoConfigOf(c: RlvrStage) {
  return {
    temperature: c.temperature,
    epsilon: c.epsilon,
    epsilonHigh: c.epsilon_high,
    beta: c.beta,
    gamma: c.gamma,
    lam: c.lam,
    vfCoef: c.vf_coef,
    clipRangeValue: c.cliprange_value,
    numPpoEpochs: c.num_ppo_epochs,
    microBatches: c.gradient_accumulation_steps,
    maxGradNorm: c.max_grad_norm,
  };
}

/** The update of a step that kept no group (every group's rewards equal, with filter_zero_std_samples). */
const NO_UPDATE: UpdateMetrics = { updates: 0, loss: 0, grad_norm: 0, train_tokens: 0, train_seconds: 0, extra: {} };

/** The per-step numbers users watch, over everything sampled this step (see the module comment for entropy). */
function stepColumns(sampled: ScoredRound, update: UpdateMetrics): Record<string, number> {
  const { samples, scored } = sampled;
  const rewards = summarizeRewards(scored);
  const logps = samples.flatMap((s) => s.sampleLogprobs);
  return {
    loss: update.loss,
    grad_norm: update.grad_norm,
    updates: update.updates,
    reward_mean: rewards.rewardMean,
    reward_std: rewards.rewardStd,
    ...prefixed("accuracy/", rewards.accuracy),
    verifier_timeouts: rewards.timeouts,
    format_share: rewards.formattedShare,
    truncated_share: rewards.truncatedShare,
    response_length_mean: sampled.tokens / Math.max(1, samples.length),
    entropy: logps.length > 0 ? -logps.reduce((a, b) => a + b, 0) / logps.length : 0,
    ...update.extra,
    rollout_tokens_per_s: sampled.tokens / Math.max(1e-9, sampled.rolloutSeconds),
    train_tokens_per_s: update.train_tokens / Math.max(1e-9, update.train_seconds),
    rollout_s: sampled.rolloutSeconds,
    reward_s: sampled.rewardSeconds,
    train_s: update.train_seconds,
  };
}

function prefixed(prefix: string, values: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [prefix + k, v]));
}
