import { describe, expect, it } from "vitest";
import { verify } from "../../verifiers/index.js";
import { Rng } from "../../rng.js";
import { buildWorld, checkItem, SIZES, type Checker } from "./build.js";
import { verifierCheck } from "./check.js";
import { gsmItem } from "./gsm.js";
import { ifevalItem } from "./ifeval.js";
import { fracTex, mathItem } from "./math.js";
import type { Split, TaskItem } from "./item.js";

function specOf(it: TaskItem) {
  return it.ifeval ? { ...it.ifeval, prompt: it.messages[0]!.content } : { ground_truth: it.groundTruth! };
}

/** Items of every verifiable kind, both splits, straight from the generators. */
function sampleItems(perKind: number): TaskItem[] {
  const rng = new Rng(99);
  const out: TaskItem[] = [];
  for (const split of ["train", "eval"] as Split[]) {
    for (let i = 0; i < perKind; i++) {
      out.push(gsmItem(rng, split, ((i % 3) + 1) as 1 | 2 | 3), mathItem(rng, split), ifevalItem(rng, split));
    }
  }
  return out;
}

describe("generated answers against the verifiers", () => {
  const items = sampleItems(150);

  it.each(["gsm8k", "math", "ifeval"] as const)("%s: every correct reply passes and every rejected reply fails", (kind) => {
    const mine = items.filter((it) => it.kind === kind);
    expect(mine.length).toBe(300);
    const accepted = mine.filter((it) => verify(kind, it.response, specOf(it)).correct).length;
    const wronglyAccepted = mine.filter((it) => verify(kind, it.rejected, specOf(it)).correct).length;
    expect({ accepted, wronglyAccepted }).toEqual({ accepted: mine.length, wronglyAccepted: 0 });
  });

  it("fails generation when a verifier disagrees with the generator", () => {
    const item = items[0]!;
    const acceptsAll: Checker = () => true;
    const rejectsAll: Checker = () => false;
    expect(() => checkItem(item, acceptsAll, "row 1")).toThrow(/row 1: the gsm8k verifier accepts a generated (wrong|truncated) reply/);
    expect(() => checkItem(item, rejectsAll, "row 1")).toThrow(/row 1: the gsm8k verifier rejects a generated correct reply/);
    expect(() => buildWorld(1, SIZES.tiny, rejectsAll)).toThrow(/generator bug/);
  });
});

describe("task generators", () => {
  it("keeps difficulty 1 to one single-digit addition or subtraction", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const it = gsmItem(rng, "train", 1);
      expect(it.messages[0]!.content.match(/\d+/g)!.every((n) => n.length === 1)).toBe(true);
      expect(it.response.match(/^\d \S \d = \d+\.$/gm)).toHaveLength(1);
      expect(it.response).toMatch(new RegExp(`\\n#### ${it.groundTruth}$`));
    }
  });

  it("writes MATH answers as integers or fractions in lowest terms", () => {
    expect(fracTex([6, 8])).toBe("\\frac{3}{4}");
    expect(fracTex([8, 4])).toBe("2");
    const rng = new Rng(4);
    for (let i = 0; i < 200; i++) {
      const it = mathItem(rng, "train");
      expect(it.response.endsWith(`The answer is \\boxed{${it.groundTruth}}.`)).toBe(true);
    }
  });

  it("is deterministic in the seed", () => {
    const a = buildWorld(5, SIZES.tiny, verifierCheck).files;
    const b = buildWorld(5, SIZES.tiny, verifierCheck).files;
    const c = buildWorld(6, SIZES.tiny, verifierCheck).files;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it("gives each split its own stream: resizing one split leaves the others unchanged", () => {
    const a = buildWorld(5, SIZES.tiny, verifierCheck).files;
    const b = buildWorld(5, { ...SIZES.tiny, sftTrain: 30 }, verifierCheck).files;
    for (const name of ["pretrain", "prefs-train", "rlvr-train", "rlvr-eval"]) {
      expect(b.find((f) => f.name === name)).toEqual(a.find((f) => f.name === name));
    }
    expect(b.find((f) => f.name === "sft-train")!.rows).toHaveLength(30);
  });
});
