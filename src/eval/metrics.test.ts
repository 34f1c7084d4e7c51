import { describe, expect, it } from "vitest";
import { scoreSamples, type SampleRecord } from "./metrics.js";

const sample = (over: Partial<SampleRecord>): SampleRecord => ({
  set: "s", id: "x", verifier: "gsm8k", prompt: "p", response: "r", length: 10, endedWithEos: true, leftTurn: false, correct: true, ...over,
});

describe("scoreSamples", () => {
  it("computes accuracy per verifier, EOS rate and mean length", () => {
    const scores = scoreSamples([
      sample({ correct: true, length: 4 }),
      sample({ correct: false, length: 8, endedWithEos: false }),
      sample({ verifier: "math", correct: true, length: 6 }),
      sample({ verifier: null, correct: null, length: 2, leftTurn: true }),
    ]);
    expect(scores).toEqual({ n: 4, eos_rate: 0.75, in_turn_rate: 0.75, mean_length: 5, accuracy: { gsm8k: 0.5, math: 1 } });
  });

  it("breaks accuracy down by difficulty for rows that have one", () => {
    const scores = scoreSamples([
      sample({ difficulty: 1, correct: true }),
      sample({ difficulty: 1, correct: false }),
      sample({ difficulty: 2, correct: false }),
      sample({ verifier: "math", correct: true }),
    ]);
    expect(scores.accuracy_by_difficulty).toEqual({ gsm8k: { "1": 0.5, "2": 0 } });
  });

  it("computes IFEval prompt- and instruction-level accuracy, strict and loose", () => {
    const scores = scoreSamples([
      // prompt 1: 2 of 3 instructions strict (not all), all 3 loose
      sample({ verifier: "ifeval", correct: false, ifeval: { strict: [true, true, false], loose: [true, true, true] } }),
      // prompt 2: its one instruction fails both ways
      sample({ verifier: "ifeval", correct: false, ifeval: { strict: [false], loose: [false] } }),
    ]);
    expect(scores.ifeval).toEqual({ prompt_strict: 0, prompt_loose: 0.5, instruction_strict: 0.5, instruction_loose: 0.75 });
  });
});
