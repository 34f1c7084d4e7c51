/**
 * DPO-family preference losses as pure functions over per-sequence log-probabilities.
 *
 * Inputs are, per preference pair i of a batch of B: the *summed* log-probs Σ_t log π(y_t | x, y_<t) of the
 * chosen (w) and rejected (l) responses under the policy and the frozen reference, and their label-token
 * counts |y|. Variants that length-normalise use avg = sum / max(|y|, 1), which is what open-instruct gets
 * by reducing with `average_log_prob=True` (open_instruct/dpo_utils.py:689-712).
 *
 * Names follow TRL `loss_type` and open-instruct `dpo_loss_type`. Peer sources are recorded in
 * ../shared/ANCHORS.md §2.2-2.5 (open-instruct e6c3044, TRL f2cd577).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PosttrainError } from "../errors.js";
import { stopGradient, tidyObject } from "../train/index.js";

export type DpoLossType = "sigmoid" | "dpo_norm" | "sigmoid_norm" | "ipo" | "simpo";

export interface PreferenceLogps {
  /** Σ_t log π(y_w,t) per pair, [B]. */
  policyChosen: tf.Tensor1D;
  /** Σ_t log π(y_l,t) per pair, [B]. */
  policyRejected: tf.Tensor1D;
  /** Same under the frozen reference; needed by every type except simpo. */
  referenceChosen?: tf.Tensor1D;
  referenceRejected?: tf.Tensor1D;
  /** Label-token counts |y_w|, |y_l|; needed by dpo_norm, sigmoid_norm, ipo and simpo. */
  chosenTokens?: tf.Tensor1D | number[];
  rejectedTokens?: tf.Tensor1D | number[];
}

export interface DpoLossOptions {
  /** β: inverse temperature of the implicit reward (Tülu 3 dpo_norm: 5; TRL default 0.1). */
  beta: number;
  /** Conservative-DPO label smoothing ε ∈ [0, 0.5) (sigmoid forms only; default 0). */
  labelSmoothing?: number;
  /** SimPO target margin γ (TRL CPO `simpo_gamma`, default 0.5; open-instruct's gamma_beta_ratio = γ/β). */
  simpoGamma?: number;
}

export interface DpoLossOutput {
  /** Mean of `losses` over the batch: the differentiable training loss. */
  loss: tf.Scalar;
  /** Per-pair loss, [B]. */
  losses: tf.Tensor1D;
  /** Implicit rewards, [B], detached: β·(logp_π − logp_ref) (reference-free SimPO: β·avg_π). */
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
  /** The policy log-probs the loss used, [B], detached (per-token averages for normalised types). */
  chosenLogps: tf.Tensor1D;
  rejectedLogps: tf.Tensor1D;
}

export type DpoLossFn = (logps: PreferenceLogps, options: DpoLossOptions) => DpoLossOutput;

/**
 * `sigmoid` — DPO (Rafailov et al. 2023, arXiv:2305.18290, eq. 7) with conservative label smoothing ε
 * (Mitchell 2023, "cDPO"):
 *
 *   z = (logp_π(y_w) − logp_π(y_l)) − (logp_ref(y_w) − logp_ref(y_l))
 *   loss_i = −(1 − ε)·logσ(β·z) − ε·logσ(−β·z)
 *
 * Same form in open-instruct `dpo_loss` (open_instruct/dpo_utils.py:523-563), TRL `loss_type="sigmoid"`
 * (trl/trainer/dpo_trainer.py:1397-1435) and OpenRLHF (openrlhf/models/loss.py:318-333).
 */
export const sigmoidLoss: DpoLossFn = (logps, options) =>
  tidyObject(() => {
    const { policyChosen, policyRejected } = logps;
    const { referenceChosen, referenceRejected } = requireReference(logps, "sigmoid");
    return sigmoidForm(policyChosen, policyRejected, referenceChosen, referenceRejected, options);
  });

/**
 * `dpo_norm` — Tülu 3's length-normalised DPO: the sigmoid loss on per-token *average* log-probs of
 * policy and reference, avg = Σ_t logp_t / max(|y|, 1) (open_instruct/dpo_utils.py:83-84,689-712; the loss
 * itself is `dpo_loss`). Equal to TRL `loss_type="sigmoid_norm"`: z = s_w/|y_w| − s_l/|y_l| with
 * s = logp_π − logp_ref (trl/trainer/dpo_trainer.py:1551-1556), hence the alias.
 */
export const dpoNormLoss: DpoLossFn = (logps, options) =>
  tidyObject(() => {
    const { referenceChosen, referenceRejected } = requireReference(logps, "dpo_norm");
    const { chosenTokens, rejectedTokens } = requireTokens(logps, "dpo_norm");
    return sigmoidForm(
      perToken(logps.policyChosen, chosenTokens),
      perToken(logps.policyRejected, rejectedTokens),
      perToken(referenceChosen, chosenTokens),
      perToken(referenceRejected, rejectedTokens),
      options,
    );
  });

/**
 * `ipo` — Identity Preference Optimisation (Azar et al. 2023, arXiv:2310.12036, eq. 17), in TRL's
 * length-normalised form (trl/trainer/dpo_trainer.py:1440-1451, "confirmed with the IPO authors"):
 *
 *   z = (logp_π(y_w) − logp_ref(y_w)) / |y_w| − (logp_π(y_l) − logp_ref(y_l)) / |y_l|
 *   loss_i = (z − 1/(2β))²
 *
 * Label smoothing does not apply (a squared loss has no label to smooth).
 */
export const ipoLoss: DpoLossFn = (logps, options) =>
  tidyObject(() => {
    checkOptions(options, "ipo");
    if ((options.labelSmoothing ?? 0) !== 0) throw new PosttrainError("DPO loss ipo: label_smoothing must be 0");
    const { referenceChosen, referenceRejected } = requireReference(logps, "ipo");
    const { chosenTokens, rejectedTokens } = requireTokens(logps, "ipo");
    const pc = perToken(logps.policyChosen, chosenTokens);
    const pr = perToken(logps.policyRejected, rejectedTokens);
    const rc = perToken(referenceChosen, chosenTokens);
    const rr = perToken(referenceRejected, rejectedTokens);
    const z = tf.sub(tf.sub(pc, rc), tf.sub(pr, rr));
    const losses = tf.square(tf.sub(z, 1 / (2 * options.beta))) as tf.Tensor1D;
    return output(losses, rewards(options.beta, pc, rc), rewards(options.beta, pr, rr), pc, pr);
  });

/**
 * `simpo` — SimPO (Meng et al. 2024, arXiv:2405.14734, eq. 6), reference-free, with label smoothing:
 *
 *   z = avg_π(y_w) − avg_π(y_l) − γ/β
 *   loss_i = −(1 − ε)·logσ(β·z) − ε·logσ(−β·z)
 *
 * TRL CPO trainer `loss_type="simpo"` (trl/experimental/cpo/cpo_trainer.py:714-721,849); open-instruct
 * `simpo` with gamma_beta_ratio = γ/β (open_instruct/dpo_utils.py:96-104,617-642). Rewards are β·avg_π.
 */
export const simpoLoss: DpoLossFn = (logps, options) =>
  tidyObject(() => {
    checkOptions(options, "simpo");
    const { chosenTokens, rejectedTokens } = requireTokens(logps, "simpo");
    const gamma = options.simpoGamma ?? 0.5;
    if (!(gamma >= 0)) throw new PosttrainError(`DPO loss simpo: simpo_gamma must be >= 0, got ${gamma}`);
    const pc = perToken(logps.policyChosen, chosenTokens);
    const pr = perToken(logps.policyRejected, rejectedTokens);
    const z = tf.sub(tf.sub(pc, pr), gamma / options.beta);
    const losses = smoothedSigmoidLoss(z, options);
    const reward = (x: tf.Tensor1D) => stopGradient(tf.mul(x, options.beta)) as tf.Tensor1D;
    return output(losses, reward(pc), reward(pr), pc, pr);
  });

/** Dispatch by TRL / open-instruct loss name. */
export const DPO_LOSSES = {
  sigmoid: sigmoidLoss,
  dpo_norm: dpoNormLoss,
  sigmoid_norm: dpoNormLoss,
  ipo: ipoLoss,
  simpo: simpoLoss,
} satisfies Record<DpoLossType, DpoLossFn>;

/** The loss named `type`; tensors come back outside any enclosing tidy's reach only if the caller keeps them. */
export function dpoLoss(type: DpoLossType, logps: PreferenceLogps, options: DpoLossOptions): DpoLossOutput {
  const fn: DpoLossFn | undefined = DPO_LOSSES[type];
  if (!fn) throw new PosttrainError(`unknown DPO loss_type "${type}" (expected ${Object.keys(DPO_LOSSES).join(", ")})`);
  return fn(logps, options);
}

/**
 * RPO (Pang et al. 2024, "Iterative Reasoning Preference Optimization", arXiv:2404.19733): the preference loss
 * plus α times the negative log-likelihood of the chosen responses, which keeps DPO from lowering the
 * likelihood of the answers it prefers. As TRL's `rpo_alpha` (trl/trainer/dpo_trainer.py, `nll_loss`), the
 * NLL is one token mean over all chosen tokens of the batch, added to every pair's loss:
 *
 *   nll = −Σ_i logp_π(y_w,i) / Σ_i |y_w,i|        loss_i ← loss_i + α·nll
 *
 * `policyChosen` holds the summed log-probs Σ_t log π(y_w,t) (not averages). The result has new `loss` and
 * `losses` and shares the reward and log-prob tensors with `out`.
 */
export function withChosenNll(out: DpoLossOutput, policyChosen: tf.Tensor1D, chosenTokens: number[], alpha: number): DpoLossOutput {
  if (!(alpha >= 0)) throw new PosttrainError(`DPO loss: rpo_alpha must be >= 0, got ${alpha}`);
  if (chosenTokens.length !== policyChosen.shape[0]) {
    throw new PosttrainError(`DPO loss: token counts have length ${chosenTokens.length}, log-probs have ${policyChosen.shape[0]}`);
  }
  return tidyObject(() => {
    const tokens = Math.max(1, chosenTokens.reduce((a, b) => a + b, 0));
    const nll = tf.div(tf.neg(tf.sum(policyChosen)), tokens);
    const losses = tf.add(out.losses, tf.mul(nll, alpha)) as tf.Tensor1D;
    return { ...out, losses, loss: tf.mean(losses) as tf.Scalar };
  });
}

/**
 * Batch means under TRL's metric names: `rewards/chosen`, `rewards/rejected`, `rewards/accuracies`
 * (share of pairs with chosen reward > rejected reward), `rewards/margins`, `logps/chosen`, `logps/rejected`,
 * and `loss`. Reads the values synchronously; disposes nothing.
 */
export function dpoMetrics(out: DpoLossOutput): Record<string, number> {
  const mean = (t: tf.Tensor) => tf.tidy(() => tf.mean(t).dataSync()[0]);
  return tf.tidy(() => ({
    loss: mean(out.loss),
    "rewards/chosen": mean(out.chosenRewards),
    "rewards/rejected": mean(out.rejectedRewards),
    "rewards/accuracies": mean(tf.cast(tf.greater(out.chosenRewards, out.rejectedRewards), "float32")),
    "rewards/margins": mean(tf.sub(out.chosenRewards, out.rejectedRewards)),
    "logps/chosen": mean(out.chosenLogps),
    "logps/rejected": mean(out.rejectedLogps),
  }));
}

/** Dispose every tensor of a loss output. */
export function disposeDpoOutput(out: DpoLossOutput): void {
  tf.dispose([out.loss, out.losses, out.chosenRewards, out.rejectedRewards, out.chosenLogps, out.rejectedLogps]);
}

// ---------------------------------------------------------------------------------------------------------

function sigmoidForm(
  pc: tf.Tensor1D,
  pr: tf.Tensor1D,
  rc: tf.Tensor1D,
  rr: tf.Tensor1D,
  options: DpoLossOptions,
): DpoLossOutput {
  checkOptions(options, "sigmoid");
  const z = tf.sub(tf.sub(pc, pr), tf.sub(rc, rr));
  const losses = smoothedSigmoidLoss(z, options);
  return output(losses, rewards(options.beta, pc, rc), rewards(options.beta, pr, rr), pc, pr);
}

/**
 * −(1 − ε)·logσ(β·z) − ε·logσ(−β·z) = (1 − ε)·softplus(−β·z) + ε·softplus(β·z), per pair.
 * Written with softplus because tf.logSigmoid is a customGrad whose backward pass reads its input from a
 * closure: inside a tidy that input is freed before the gradient runs.
 */
function smoothedSigmoidLoss(z: tf.Tensor, options: DpoLossOptions): tf.Tensor1D {
  const eps = options.labelSmoothing ?? 0;
  const scaled = tf.mul(z, options.beta);
  const agree = tf.mul(tf.softplus(tf.neg(scaled)), 1 - eps);
  if (eps === 0) return agree as tf.Tensor1D;
  return tf.add(agree, tf.mul(tf.softplus(scaled), eps)) as tf.Tensor1D;
}

function rewards(beta: number, policy: tf.Tensor1D, reference: tf.Tensor1D): tf.Tensor1D {
  return stopGradient(tf.mul(tf.sub(policy, reference), beta)) as tf.Tensor1D;
}

function output(losses: tf.Tensor1D, chosenRewards: tf.Tensor1D, rejectedRewards: tf.Tensor1D, pc: tf.Tensor1D, pr: tf.Tensor1D): DpoLossOutput {
  return {
    loss: tf.mean(losses) as tf.Scalar,
    losses,
    chosenRewards,
    rejectedRewards,
    chosenLogps: stopGradient(pc),
    rejectedLogps: stopGradient(pr),
  };
}

/** sum / max(tokens, 1): open-instruct's average_log_prob reduction applied to an already summed log-prob. */
function perToken(sum: tf.Tensor1D, tokens: tf.Tensor1D | number[]): tf.Tensor1D {
  const count = Array.isArray(tokens) ? tf.tensor1d(tokens) : tokens;
  if (count.shape[0] !== sum.shape[0]) {
    throw new PosttrainError(`DPO loss: token counts have length ${count.shape[0]}, log-probs have ${sum.shape[0]}`);
  }
  return tf.div(sum, tf.maximum(tf.cast(count, "float32"), 1)) as tf.Tensor1D;
}

function requireReference(logps: PreferenceLogps, type: DpoLossType): { referenceChosen: tf.Tensor1D; referenceRejected: tf.Tensor1D } {
  const { referenceChosen, referenceRejected } = logps;
  if (!referenceChosen || !referenceRejected) {
    throw new PosttrainError(`DPO loss ${type}: needs referenceChosen and referenceRejected log-probs`);
  }
  return { referenceChosen, referenceRejected };
}

function requireTokens(logps: PreferenceLogps, type: DpoLossType): { chosenTokens: tf.Tensor1D | number[]; rejectedTokens: tf.Tensor1D | number[] } {
  const { chosenTokens, rejectedTokens } = logps;
  if (!chosenTokens || !rejectedTokens) throw new PosttrainError(`DPO loss ${type}: needs chosenTokens and rejectedTokens counts`);
  return { chosenTokens, rejectedTokens };
}

function checkOptions(options: DpoLossOptions, type: string): void {
  if (!(options.beta > 0)) throw new PosttrainError(`DPO loss ${type}: beta must be > 0, got ${options.beta}`);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps < 0.5)) throw new PosttrainError(`DPO loss ${type}: label_smoothing must be in [0, 0.5), got ${eps}`);
}
