import { describe, expect, it } from "vitest";
import type { RlvrRow } from "../data/index.js";
import { verify, type VerifyResult, type VerifySpec } from "../verifiers/index.js";
import { hasAnswerFormat, scoreResponses, summarizeRewards, type RewardChecker } from "./rewards.js";
import { responseText } from "./run.js";

const TULU = { correctReward: 10, formatReward: 0, nonStopPenalty: null };

/** The real verifiers, in process, recording every text they were asked to score. */
function recordingChecker(): RewardChecker & { seen: { verifier: string; response: string; spec: VerifySpec }[] } {
  const seen: { verifier: string; response: string; spec: VerifySpec }[] = [];
  return {
    seen,
    check: async (verifier, response, spec) => {
      seen.push({ verifier, response, spec });
      return verify(verifier, response, spec, { timeBudgetMs: 10_000 });
    },
  };
}

const gsmRow = (question: string, answer: string): RlvrRow => ({ id: "q", messages: [{ role: "user", content: question }], ground_truth: answer, dataset: "gsm8k" });

describe("rewards see only the response", () => {
  it("a prompt that contains the answer does not make a wrong response right", async () => {
    const checker = recordingChecker();
    const row = gsmRow("Tom has 5 apples and gets 1 more. The answer is 6. How many apples?", "6");
    const scored = await scoreResponses(
      checker,
      [
        { row, response: "He has 7 apples.\n#### 7", truncated: false },
        { row, response: "5 + 1 = 6.\n#### 6", truncated: false },
      ],
      TULU,
    );
    expect(scored.map((s) => s.reward)).toEqual([0, 10]);
    expect(checker.seen.map((s) => s.response)).toEqual(["He has 7 apples.\n#### 7", "5 + 1 = 6.\n#### 6"]);
    for (const s of checker.seen) expect(s.response).not.toContain("Tom has");
  });

  it("the response text is the decoded response tokens without the EOS, never the prompt", () => {
    const decoded: number[][] = [];
    const tokenizer = { decode: (ids: readonly number[]) => (decoded.push([...ids]), ids.join(" ")) } as never;
    expect(responseText(tokenizer, { responseIds: [11, 12, 2], finishReason: "eos" })).toBe("11 12");
    expect(responseText(tokenizer, { responseIds: [11, 12, 13], finishReason: "length" })).toBe("11 12 13");
    expect(decoded).toEqual([[11, 12], [11, 12, 13]]);
  });

  it("ifeval checks get the prompt in the spec (repeat_prompt needs it) but score the response", async () => {
    const checker = recordingChecker();
    const row: RlvrRow = {
      id: "if",
      messages: [{ role: "user", content: "WRITE IN CAPITALS. Describe the park." }],
      ground_truth: JSON.stringify([{ instruction_id: ["change_case:english_capital"], kwargs: [{}] }]),
      dataset: "ifeval",
    };
    const scored = await scoreResponses(checker, [{ row, response: "the park is green.", truncated: false }, { row, response: "THE PARK IS GREEN.", truncated: false }], TULU);
    expect(scored.map((s) => s.correct)).toEqual([false, true]);
    expect(checker.seen[0]!.spec.prompt).toBe("WRITE IN CAPITALS. Describe the park.");
    expect(checker.seen[0]!.response).toBe("the park is green.");
  });
});

describe("reward assembly (Tülu 3)", () => {
  const row = gsmRow("How many?", "6");
  const fixed = (result: Partial<VerifyResult>): RewardChecker => ({
    check: async () => ({ correct: false, reward: 0, details: {}, ...result }),
  });

  it("correct_reward or 0, plus format_reward for a final #### line", async () => {
    const config = { correctReward: 10, formatReward: 1, nonStopPenalty: null };
    const right = await scoreResponses(fixed({ correct: true }), [{ row, response: "1 + 5 = 6.\n#### 6", truncated: false }], config);
    const wrongFormatted = await scoreResponses(fixed({ correct: false }), [{ row, response: "#### 7", truncated: false }], config);
    const rightBare = await scoreResponses(fixed({ correct: true }), [{ row, response: "it is 6", truncated: false }], config);
    expect([right[0]!.reward, wrongFormatted[0]!.reward, rightBare[0]!.reward]).toEqual([11, 1, 10]);
  });

  it("non_stop_penalty replaces the reward of a truncated response; null leaves it", async () => {
    const inputs = [{ row, response: "#### 6", truncated: true }];
    expect((await scoreResponses(fixed({ correct: true }), inputs, { ...TULU, nonStopPenalty: -10 }))[0]!.reward).toBe(-10);
    expect((await scoreResponses(fixed({ correct: true }), inputs, TULU))[0]!.reward).toBe(10);
  });

  it("a timed-out check scores 0 and is counted", async () => {
    const scored = await scoreResponses(fixed({ correct: false, details: { timeout: true } }), [{ row, response: "#### 6", truncated: false }], TULU);
    expect(scored[0]).toMatchObject({ reward: 0, timedOut: true, correct: false });
    expect(summarizeRewards(scored).timeouts).toBe(1);
  });

  it("an unknown dataset is an error naming the row", async () => {
    await expect(scoreResponses(fixed({}), [{ row: { ...row, id: "bad", dataset: "chess" as RlvrRow["dataset"] }, response: "x", truncated: false }], TULU)).rejects.toThrow(/unknown verifier "chess"/);
  });

  it("summary: mean, population std, accuracy per verifier, shares", () => {
    const s = (reward: number, verifier: string, correct: boolean, truncated = false) => ({ reward, verifier, correct, formatted: false, timedOut: false, truncated });
    const summary = summarizeRewards([s(10, "gsm8k", true), s(0, "gsm8k", false), s(0, "math", false, true), s(10, "math", true)]);
    expect(summary).toMatchObject({ rewardMean: 5, rewardStd: 5, accuracy: { gsm8k: 0.5, math: 0.5 }, truncatedShare: 0.25, timeouts: 0 });
  });
});

describe("hasAnswerFormat", () => {
  it("gsm8k wants a final #### number, math a \\boxed answer, ifeval none", () => {
    expect(hasAnswerFormat("gsm8k", "so 3 * 4 = 12.\n#### 12")).toBe(true);
    expect(hasAnswerFormat("gsm8k", "#### 1,200\n")).toBe(true);
    expect(hasAnswerFormat("gsm8k", "the answer is 12")).toBe(false);
    expect(hasAnswerFormat("math", "The answer is \\boxed{\\frac{2}{7}}.")).toBe(true);
    expect(hasAnswerFormat("MATH", "2/7")).toBe(false);
    expect(hasAnswerFormat("ifeval", "anything")).toBe(false);
  });
});
