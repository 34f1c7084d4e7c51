import { describe, expect, it } from "vitest";
import type { ScoredResponse } from "./rewards.js";
import type { RolloutSample } from "./rollout.js";
import { collectGroups, informativeGroups, solvedPrompts, type ScoredRound } from "./sampling.js";

/** A round of groups of 2 with the given rewards; each sample's response is [its global number]. */
function rounds(rewardsPerRound: number[][]): () => Promise<ScoredRound> {
  let drawn = 0;
  let sample = 0;
  return async () => {
    const rewards = rewardsPerRound[drawn++]!;
    const samples: RolloutSample[] = rewards.map((_, i) => ({
      promptIndex: Math.floor(i / 2),
      promptIds: [1],
      responseIds: [sample++],
      sampleLogprobs: [-1],
      finishReason: "eos",
    }));
    const scored: ScoredResponse[] = rewards.map((reward) => ({ reward, verifier: "gsm8k", correct: reward > 0, formatted: true, timedOut: false, truncated: false }));
    return { samples, scored, tokens: samples.length, rolloutSeconds: 1, rewardSeconds: 0.5 };
  };
}

const responses = (r: Pick<ScoredRound, "samples">) => r.samples.map((s) => s.responseIds[0]);

describe("informativeGroups", () => {
  it("keeps the groups whose rewards differ", () => {
    expect(informativeGroups([10, 0, 0, 0, 10, 10, 0, 10], 2)).toEqual([0, 3]);
    expect(informativeGroups([0, 0, 0], 3)).toEqual([]);
  });
});

describe("solvedPrompts", () => {
  it("names the groups whose correct share reaches the pass rate", () => {
    const scored = [true, true, true, false, false, false, true, true].map((correct) => ({ correct }));
    expect(solvedPrompts(scored, 4, 0.75)).toEqual([0]);
    expect(solvedPrompts(scored, 4, 0.5)).toEqual([0, 1]);
    expect(solvedPrompts(scored, 2, 1)).toEqual([0, 3]);
  });
});

describe("collectGroups", () => {
  const base = { groupSize: 2, groupsWanted: 2, maxRounds: 3 };

  it("without filtering trains on every group of one round", async () => {
    const got = await collectGroups(rounds([[10, 0, 0, 0]]), { ...base, filterZeroStd: false, activeSampling: false });
    expect(got.rounds).toBe(1);
    expect(responses(got.train)).toEqual([0, 1, 2, 3]);
    expect(got.zeroStdShare).toBe(0.5);
  });

  it("filtering drops equal-reward groups and renumbers the prompts", async () => {
    const got = await collectGroups(rounds([[0, 0, 10, 0]]), { ...base, filterZeroStd: true, activeSampling: false });
    expect(responses(got.train)).toEqual([2, 3]);
    expect(got.train.samples.map((s) => s.promptIndex)).toEqual([0, 0]);
    expect(got.train.scored.map((s) => s.reward)).toEqual([10, 0]);
    expect(got.sampled.samples).toHaveLength(4);
  });

  it("active sampling refills from new rounds, trims to the batch, and sums the cost", async () => {
    const got = await collectGroups(rounds([[0, 0, 10, 0], [10, 10, 0, 10], [0, 10, 10, 0]]), { ...base, filterZeroStd: true, activeSampling: true });
    expect(got.rounds).toBe(2);
    expect(responses(got.train)).toEqual([2, 3, 6, 7]);
    expect(got.train.samples.map((s) => s.promptIndex)).toEqual([0, 0, 1, 1]);
    expect(got.sampled.samples).toHaveLength(8);
    expect(got.sampled.rolloutSeconds).toBe(2);
    expect(got.zeroStdShare).toBe(0.5);
  });

  it("stops after maxRounds even when short of groups", async () => {
    const got = await collectGroups(rounds([[0, 0, 0, 0], [10, 10, 10, 10], [0, 0, 10, 0], [0, 10, 0, 10]]), {
      ...base,
      filterZeroStd: true,
      activeSampling: true,
    });
    expect(got.rounds).toBe(3);
    expect(responses(got.train)).toEqual([10, 11]);
    expect(got.zeroStdShare).toBeCloseTo(5 / 6);
  });
});
