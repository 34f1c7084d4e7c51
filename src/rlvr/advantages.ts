/**
 * Group-relative advantages for GRPO-family training. Rewards come in groups of `groupSize` consecutive
 * samples of the same prompt (TRL's `repeat_interleave` layout). With μ_g the group mean:
 *
 *   scaleRewards "group" (TRL default, GRPO):  A = (r − μ_g) / (σ_g + eps)
 *   scaleRewards "batch":                      A = (r − μ_g) / (σ_batch + eps)   (still the group mean)
 *   scaleRewards "none" (Dr. GRPO; OI "centered", its default):  A = r − μ_g
 *
 * Which σ: TRL uses the Bessel-corrected sample std (torch.std / nanstd, trl/trainer/grpo_trainer.py:
 * 2685-2708, trl/trainer/utils.py:873-879) with eps 1e-4: that is the default here (`std: "sample"`).
 * open-instruct "standard" uses np.std, the population std, with eps 1e-8 (open_instruct/data_loader.py:
 * 1474-1483): pass `std: "population", eps: 1e-8` for that. `scaleRewards: true/false` maps to
 * "group"/"none", the recipe's boolean `scale_rewards`.
 *
 * Groups whose rewards are all equal carry no learning signal (A = 0 for every sample); their indices are
 * returned so the runner can log TRL's `frac_reward_zero_std` or drop them as open-instruct does.
 */
import { PosttrainError } from "../errors.js";

export type ScaleRewards = "group" | "batch" | "none";

export interface GroupAdvantageOptions {
  groupSize: number;
  /** Default "group". true = "group", false = "none". */
  scaleRewards?: ScaleRewards | boolean;
  /** "sample" (Bessel, TRL; default) or "population" (open-instruct). */
  std?: "sample" | "population";
  /** Added to σ before dividing (default 1e-4, TRL). */
  eps?: number;
}

export interface GroupAdvantages {
  /** One advantage per sample, [B]. */
  advantages: Float32Array;
  /** Mean reward per group, [B / groupSize]. */
  groupMean: Float32Array;
  /** Reward std per group (the chosen kind), [B / groupSize], whatever the scaling. */
  groupStd: Float32Array;
  /** Indices of groups whose rewards are all equal (σ_g ≤ 1e-8, as TRL's isclose). */
  zeroStdGroups: number[];
}

export function groupAdvantages(rewards: ArrayLike<number>, options: GroupAdvantageOptions): GroupAdvantages {
  const { groupSize } = options;
  const scale: ScaleRewards =
    options.scaleRewards === undefined || options.scaleRewards === true ? "group" : options.scaleRewards === false ? "none" : options.scaleRewards;
  if (!["group", "batch", "none"].includes(scale)) throw new PosttrainError(`advantages: unknown scaleRewards "${scale}"`);
  const kind = options.std ?? "sample";
  const eps = options.eps ?? 1e-4;
  if (!(Number.isInteger(groupSize) && groupSize >= 1)) throw new PosttrainError(`advantages: groupSize must be an integer >= 1, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) {
    throw new PosttrainError(`advantages: ${rewards.length} rewards do not split into groups of ${groupSize}`);
  }
  if (scale === "group" && kind === "sample" && groupSize < 2) {
    throw new PosttrainError("advantages: a sample std needs groupSize >= 2 (use scaleRewards none, or std population)");
  }
  for (let i = 0; i < rewards.length; i++) {
    if (!Number.isFinite(rewards[i])) throw new PosttrainError(`advantages: reward ${i} is ${rewards[i]}`);
  }
  const groups = rewards.length / groupSize;
  const groupMean = new Float32Array(groups);
  const groupStd = new Float32Array(groups);
  const zeroStdGroups: number[] = [];
  for (let g = 0; g < groups; g++) {
    const slice = Array.from({ length: groupSize }, (_, j) => rewards[g * groupSize + j]);
    const { mean, std } = meanStd(slice, kind);
    groupMean[g] = mean;
    groupStd[g] = std;
    if (std <= 1e-8) zeroStdGroups.push(g);
  }
  const batchStd = scale === "batch" ? meanStd(Array.from(rewards), kind).std : 0;
  const advantages = new Float32Array(rewards.length);
  for (let i = 0; i < rewards.length; i++) {
    const g = Math.floor(i / groupSize);
    const centred = rewards[i] - groupMean[g];
    advantages[i] = scale === "none" ? centred : centred / ((scale === "batch" ? batchStd : groupStd[g]) + eps);
  }
  return { advantages, groupMean, groupStd, zeroStdGroups };
}

/** Mean and std (in float64) of a list; a sample std of one value is 0 (it only arises with "batch" of 1). */
function meanStd(xs: number[], kind: "sample" | "population"): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const squares = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  const dof = kind === "sample" ? xs.length - 1 : xs.length;
  return { mean, std: dof > 0 ? Math.sqrt(squares / dof) : 0 };
}
