import { describe, expect, it } from "vitest";
import type { TokenizedExample } from "../data/index.js";
import { labelTokens, packRows, sftCursor } from "./data.js";

const examples: TokenizedExample[] = Array.from({ length: 7 }, (_, i) => ({
  input_ids: Array.from({ length: 3 + i }, (_, t) => 10 + t),
  mask: Array.from({ length: 3 + i }, (_, t) => (t >= 2 ? 1 : 0)),
}));

describe("sftCursor", () => {
  it("gives each micro-batch its optimizer step's label-token total", () => {
    const cursor = sftCursor({ examples }, { batchSize: 2, accumulation: 2, seed: 3, padId: 0, start: null });
    const [a, b] = [cursor.next(), cursor.next()];
    expect(a.stepLabelTokens).toBe(labelTokens(a.batch) + labelTokens(b.batch));
    expect(b.stepLabelTokens).toBe(a.stepLabelTokens);
  });

  it("resumes at a step boundary exactly", () => {
    const options = { batchSize: 2, accumulation: 2, seed: 3, padId: 0, start: null };
    const whole = sftCursor({ examples }, options);
    const expected = Array.from({ length: 10 }, () => whole.next());
    const first = sftCursor({ examples }, options);
    const head = Array.from({ length: 4 }, () => first.next()); // two optimizer steps
    const resumed = sftCursor({ examples }, { ...options, start: JSON.parse(JSON.stringify(first.position())) });
    expect([...head, ...Array.from({ length: 6 }, () => resumed.next())]).toEqual(expected);
  });
});

describe("packRows", () => {
  it("packs whole examples into rows with positions restarting per example", () => {
    const rows = packRows(examples.slice(0, 3), 0, 8); // lengths 3, 4, 5
    expect(rows).toHaveLength(2);
    expect(Array.from(rows[0]!.positionIds)).toEqual([0, 1, 2, 0, 1, 2, 3, 0]);
    expect(Array.from(rows[0]!.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(rows[1]!.lossMask)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
  });
});
