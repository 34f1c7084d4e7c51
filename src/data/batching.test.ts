import { describe, expect, it } from "vitest";
import { batchIndices, chunkTokens, epochOrder, indexCursor, packExamples, padBatch, type TokenizedExample } from "./batching.js";

const ex = (ids: number[], mask?: number[]): TokenizedExample => ({ input_ids: ids, mask: mask ?? ids.map(() => 1) });

function take<T>(gen: Generator<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of gen) {
    out.push(x);
    if (out.length === n) break;
  }
  return out;
}

describe("epochOrder", () => {
  it("is a permutation fixed by (seed, epoch), different across epochs and seeds", () => {
    const a = epochOrder(50, 7, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochOrder(50, 7, 0)).toEqual(a);
    expect(epochOrder(50, 7, 1)).not.toEqual(a);
    expect(epochOrder(50, 8, 0)).not.toEqual(a);
  });
});

describe("batchIndices", () => {
  it("visits every example once per epoch, with a partial last batch", () => {
    const batches = take(batchIndices(10, 4, 1), 3);
    expect(batches.map((b) => b.indices.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => b.indices).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches.map((b) => b.position)).toEqual([{ epoch: 0, index: 0 }, { epoch: 0, index: 4 }, { epoch: 0, index: 8 }]);
    expect(batches[2]!.next).toEqual({ epoch: 1, index: 0 });
  });

  it("drops the last partial batch when asked", () => {
    const batches = take(batchIndices(10, 4, 1, undefined, { dropLast: true }), 3);
    expect(batches.map((b) => [b.position.epoch, b.indices.length])).toEqual([[0, 4], [0, 4], [1, 4]]);
  });

  it("resumes from a saved position with exactly the batches an uninterrupted run sees", () => {
    const straight = take(batchIndices(23, 5, 42), 12);
    const saved = straight[6]!.next;
    const resumed = take(batchIndices(23, 5, 42, saved), 5);
    expect(resumed).toEqual(straight.slice(7, 12));
  });

  it("rejects impossible settings", () => {
    expect(() => batchIndices(0, 2, 1).next()).toThrow(/no examples/);
    expect(() => batchIndices(3, 0, 1).next()).toThrow(/batch size must be positive/);
    expect(() => batchIndices(3, 4, 1, undefined, { dropLast: true }).next()).toThrow(/batch size 4 > 3 examples/);
  });
});

describe("indexCursor", () => {
  it("gives batchIndices' batches and resumes from its JSON position exactly", () => {
    const straight = take(batchIndices(23, 5, 42, undefined, { dropLast: true }), 12);
    const first = indexCursor(23, 5, 42, null, { dropLast: true });
    expect(Array.from({ length: 7 }, () => first.next())).toEqual(straight.slice(0, 7).map((b) => b.indices));
    expect(first.position()).toEqual(straight[6]!.next);
    const resumed = indexCursor(23, 5, 42, JSON.parse(JSON.stringify(first.position())), { dropLast: true });
    expect(Array.from({ length: 5 }, () => resumed.next())).toEqual(straight.slice(7).map((b) => b.indices));
  });
});

describe("padBatch", () => {
  it("right-pads to [B, T] with attention and loss masks", () => {
    const b = padBatch([ex([5, 6, 7], [0, 1, 1]), ex([8])], { padId: 0 });
    expect([b.batchSize, b.length]).toEqual([2, 3]);
    expect([...b.inputIds]).toEqual([5, 6, 7, 8, 0, 0]);
    expect([...b.attentionMask]).toEqual([1, 1, 1, 1, 0, 0]);
    expect([...b.lossMask]).toEqual([0, 1, 1, 1, 0, 0]);
    expect([...b.positionIds]).toEqual([0, 1, 2, 0, 0, 0]);
    expect([...b.segmentIds]).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it("cuts examples longer than maxLength at the right", () => {
    const b = padBatch([ex([1, 2, 3, 4]), ex([5])], { padId: 9, maxLength: 2 });
    expect([...b.inputIds]).toEqual([1, 2, 5, 9]);
  });

  it("names the example whose mask does not match its ids", () => {
    expect(() => padBatch([ex([1]), { input_ids: [1, 2], mask: [1] }], { padId: 0 })).toThrow("padBatch: example 1: input_ids has 2 tokens but mask has 1");
  });
});

describe("packExamples", () => {
  it("packs whole examples in order, starting a new row when one does not fit", () => {
    const b = packExamples([ex([1, 2], [0, 1]), ex([3, 4, 5]), ex([6, 7, 8, 9]), ex([10])], { padId: 0, maxLength: 5 });
    expect([b.batchSize, b.length]).toEqual([2, 5]);
    expect([...b.inputIds]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...b.lossMask]).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect([...b.segmentIds]).toEqual([1, 1, 2, 2, 2, 1, 1, 1, 1, 2]);
    expect([...b.positionIds]).toEqual([0, 1, 0, 1, 2, 0, 1, 2, 3, 0]);
  });

  it("pads the last row and cuts an example longer than a row", () => {
    const b = packExamples([ex([1, 2, 3, 4, 5, 6, 7]), ex([8])], { padId: 0, maxLength: 4 });
    expect([...b.inputIds]).toEqual([1, 2, 3, 4, 8, 0, 0, 0]);
    expect([...b.attentionMask]).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
  });
});

describe("chunkTokens", () => {
  it("concatenates documents and cuts fixed-length rows, dropping the tail", () => {
    const rows = chunkTokens([ex([1, 2, 3]), ex([4, 5], [0, 1]), ex([6, 7, 8])], 3);
    expect(rows).toEqual([ex([1, 2, 3]), { input_ids: [4, 5, 6], mask: [0, 1, 1] }]);
  });
});
