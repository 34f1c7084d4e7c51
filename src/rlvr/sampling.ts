/**
 * Which rollout groups a GRPO step trains on.
 *
 * A group whose rewards are all equal (every sample right, or every sample wrong) has advantage 0 for every
 * sample: it adds no policy-gradient signal, only cost (and, with beta > 0, KL pull). open-instruct's grpo_fast
 * drops such groups (`filter_zero_std_samples`) and, with `active_sampling`, keeps drawing fresh prompts until
 * the batch is full of groups that do carry signal, as DAPO's dynamic sampling does. Here the refill is bounded
 * by `max_num_gen_batches` rollout rounds per step (verl's name for DAPO's bound), so every step ends even when
 * the model solves everything or nothing; a step may then train on fewer groups, or on none. With
 * `no_resampling_pass_rate`, prompts solved at least that often are not drawn again (open-instruct), so the
 * rounds go to prompts that still teach something.
 */
import { groupAdvantages } from "./advantages.js";
import type { ScoredResponse } from "./rewards.js";
import type { RolloutSample } from "./rollout.js";

/** One round of rollouts and their rewards, samples in group order (G consecutive samples per prompt). */
export interface ScoredRound {
  samples: RolloutSample[];
  scored: ScoredResponse[];
  /** Response tokens generated. */
  tokens: number;
  rolloutSeconds: number;
  rewardSeconds: number;
}

export interface GroupSelection {
  /** Drop groups whose rewards are all equal. */
  filterZeroStd: boolean;
  /** Draw more rounds until `groupsWanted` groups with signal are kept (needs filterZeroStd). */
  activeSampling: boolean;
  /** Rounds drawn at most per step (with activeSampling). */
  maxRounds: number;
  groupSize: number;
  groupsWanted: number;
}

export interface CollectedGroups {
  /** What the update trains on: kept groups, prompt indices renumbered 0..groups-1. */
  train: Pick<ScoredRound, "samples" | "scored">;
  /** Everything sampled this step, for the metrics (accuracy, reward, speed). */
  sampled: ScoredRound;
  rounds: number;
  /** Share of the sampled groups whose rewards were all equal (TRL's `frac_reward_zero_std`). */
  zeroStdShare: number;
}

/** Indices of the groups of `rewards` whose rewards are not all equal. */
export function informativeGroups(rewards: readonly number[], groupSize: number): number[] {
  const zero = new Set(groupAdvantages(rewards, { groupSize, scaleRewards: "none" }).zeroStdGroups);
  return Array.from({ length: rewards.length / groupSize }, (_, g) => g).filter((g) => !zero.has(g));
}

/**
 * Groups (by index) whose share of verifier-correct samples is at least `passRate`: open-instruct's
 * `no_resampling_pass_rate`, which stops sampling prompts the policy already solves (it compares the mean reward
 * to the maximum; the correct share is the same number for the 10-or-0 reward, and ignores format bonuses).
 */
export function solvedPrompts(scored: readonly Pick<ScoredResponse, "correct">[], groupSize: number, passRate: number): number[] {
  const solved: number[] = [];
  for (let g = 0; g * groupSize < scored.length; g++) {
    const group = scored.slice(g * groupSize, (g + 1) * groupSize);
    if (group.filter((s) => s.correct).length / group.length >= passRate) solved.push(g);
  }
  return solved;
}

/** Draws rounds with `draw` and keeps the groups `selection` asks for (see the module comment). */
export async function collectGroups(draw: () => Promise<ScoredRound>, selection: GroupSelection): Promise<CollectedGroups> {
  const { groupSize, groupsWanted } = selection;
  const rounds: ScoredRound[] = [];
  const kept: { samples: RolloutSample[]; scored: ScoredResponse[] }[] = [];
  let zeroGroups = 0;
  let groups = 0;
  const maxRounds = selection.activeSampling ? selection.maxRounds : 1;
  while (rounds.length < maxRounds && kept.length < groupsWanted) {
    const round = await draw();
    rounds.push(round);
    const rewards = round.scored.map((s) => s.reward);
    const informative = informativeGroups(rewards, groupSize);
    groups += rewards.length / groupSize;
    zeroGroups += rewards.length / groupSize - informative.length;
    const take = selection.filterZeroStd ? informative : Array.from({ length: rewards.length / groupSize }, (_, g) => g);
    for (const g of take) {
      const from = g * groupSize;
      kept.push({ samples: round.samples.slice(from, from + groupSize), scored: round.scored.slice(from, from + groupSize) });
    }
  }
  const used = selection.filterZeroStd ? kept.slice(0, groupsWanted) : kept;
  const train = {
    samples: used.flatMap((k, g) => k.samples.map((s) => ({ ...s, promptIndex: g }))),
    scored: used.flatMap((k) => k.scored),
  };
  const sampled: ScoredRound = {
    samples: rounds.flatMap((r) => r.samples),
    scored: rounds.flatMap((r) => r.scored),
    tokens: rounds.reduce((n, r) => n + r.tokens, 0),
    rolloutSeconds: rounds.reduce((n, r) => n + r.rolloutSeconds, 0),
    rewardSeconds: rounds.reduce((n, r) => n + r.rewardSeconds, 0),
  };
  return { train, sampled, rounds: rounds.length, zeroStdShare: groups > 0 ? zeroGroups / groups : 0 };
}
