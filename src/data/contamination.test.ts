import { describe, expect, it } from "vitest";
import { ContaminationIndex, normalizeForLeakage, summarizeContamination } from "./contamination.js";

const prompt = (id: string, text: string) => ({ where: `eval:${id}`, id, text });

describe("normalizeForLeakage", () => {
  it("lower-cases, turns every number into 0 and collapses whitespace", () => {
    expect(normalizeForLeakage("  Tom has 3,000 apples\nand 2.5 pears.\t How  many? ")).toBe("tom has 0 apples and 0 pears. how many?");
  });
});

describe("ContaminationIndex", () => {
  it("finds an eval prompt that differs from a training prompt only in numbers and spacing", () => {
    const index = new ContaminationIndex([prompt("a", "Tom has 3 apples. How many  apples?"), prompt("b", "Ann has 3 pears. How many pears?")]);
    index.addTrain("tom has 7 apples.\nHow many apples?");
    expect(index.results().map((r) => r.exact)).toEqual([true, false]);
  });

  it("finds an eval prompt inside a longer training text", () => {
    const index = new ContaminationIndex([prompt("a", "What color are pears?")]);
    index.addTrain("Q: What color are pears?\nA: Pears are green.");
    expect(index.results()[0]!.exact).toBe(true);
  });

  it("measures the largest share of a prompt's words one training text covers with shared n-grams", () => {
    // 10 words, n = 8: a text sharing the first 8 covers 8/10; another sharing the last 8 also 8/10.
    const index = new ContaminationIndex([prompt("a", "ant bee cat dog eel fox gnu hen ibis jay")], 8);
    index.addTrain("x ant bee cat dog eel fox gnu hen y");
    index.addTrain("cat dog eel fox gnu hen ibis jay");
    expect(index.results()[0]!.overlap).toBeCloseTo(0.8);
    expect(index.results()[0]!.exact).toBe(false);
    index.addTrain("ant bee cat dog eel fox gnu hen ibis jay and more");
    expect(index.results()[0]).toMatchObject({ overlap: 1, exact: true });
  });

  it("treats a prompt shorter than n words as one gram", () => {
    const index = new ContaminationIndex([prompt("a", "Hi there!"), prompt("b", "Good night!")], 8);
    index.addTrain("She said hi there to him.");
    expect(index.results().map((r) => r.overlap)).toEqual([1, 0]);
  });

  it("summarises: exact leaks, mean overlap, prompts at or above the threshold, the worst first", () => {
    const index = new ContaminationIndex([prompt("a", "one two three four"), prompt("b", "five six seven eight"), prompt("c", "nine ten")], 2);
    index.addTrain("one two three four");
    index.addTrain("five six and seven");
    const s = summarizeContamination(index, 0.5, 2);
    expect(s.exact.map((e) => e.id)).toEqual(["a"]);
    expect(s.meanOverlap).toBeCloseTo((1 + 0.5 + 0) / 3);
    expect(s.contaminated).toBe(2);
    expect(s.worst.map((w) => w.id)).toEqual(["a", "b"]);
    expect(s.trainTexts).toBe(2);
  });
});
