import { describe, expect, it } from "vitest";
import type { RlvrRow } from "../data/index.js";
import { choosePair, onPolicyPair, type ScoredSample } from "./pairs.js";

const s = (text: string, correct: boolean, endedWithEos = true, length = text.length): ScoredSample => ({ text, correct, endedWithEos, length });

describe("choosePair", () => {
  it("needs a correct sample that ended with EOS and an incorrect one", () => {
    expect(choosePair([s("a", true), s("b", true)])).toBeNull();
    expect(choosePair([s("a", false), s("b", false)])).toBeNull();
    expect(choosePair([s("cut off", true, false), s("b", false)])).toBeNull();
    expect(choosePair([s("a", true), s("b", false)])).toEqual({ chosen: 0, rejected: 1 });
  });

  it("chooses the shortest correct answer, then the earliest", () => {
    expect(choosePair([s("long answer", true), s("short", true), s("wrong", false), s("tiny!", true)])).toEqual({ chosen: 1, rejected: 2 });
  });

  it("rejects a complete wrong answer before a cut-off one, then the one closest in length to the chosen", () => {
    const samples = [s("right", true, true, 10), s("cut", false, false, 10), s("far", false, true, 40), s("near", false, true, 12), s("near2", false, true, 8)];
    expect(choosePair(samples)).toEqual({ chosen: 0, rejected: 3 });
    expect(choosePair([s("right", true, true, 10), s("cut", false, false, 10)])).toEqual({ chosen: 0, rejected: 1 });
  });
});

describe("onPolicyPair", () => {
  const row: RlvrRow = {
    id: "gsm/1",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "2 + 5?" },
    ],
    ground_truth: "7",
    dataset: "gsm8k",
  };

  it("writes a preference row: the prompt turns, then the chosen or rejected assistant turn", () => {
    expect(onPolicyPair(row, [s("#### 6", false), s("#### 7", true)], "onpolicy:m")).toEqual({
      id: "gsm/1/onpolicy",
      prompt: "2 + 5?",
      chosen: [...row.messages, { role: "assistant", content: "#### 7" }],
      rejected: [...row.messages, { role: "assistant", content: "#### 6" }],
      source: "onpolicy:m",
    });
    expect(onPolicyPair(row, [s("#### 7", true)], "x")).toBeNull();
  });
});
