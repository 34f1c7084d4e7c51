import { describe, expect, it } from "vitest";
import { rowCursor } from "./data.js";

const rows = Array.from({ length: 10 }, (_, i) => [i, i, i]);

describe("rowCursor", () => {
  it("continues from a saved position exactly as an uninterrupted cursor does", () => {
    const whole = rowCursor(rows, 3, 7, null);
    const expected = Array.from({ length: 8 }, () => whole.next());
    const first = rowCursor(rows, 3, 7, null);
    const head = Array.from({ length: 3 }, () => first.next());
    const saved = JSON.parse(JSON.stringify(first.position()));
    const resumed = rowCursor(rows, 3, 7, saved);
    expect([...head, ...Array.from({ length: 5 }, () => resumed.next())]).toEqual(expected);
  });

  it("gives full batches in a seed-dependent order, every row once per epoch", () => {
    const a = rowCursor(rows, 3, 1, null);
    const epoch = Array.from({ length: 3 }, () => a.next());
    expect(epoch.every((b) => b.length === 3)).toBe(true);
    expect(new Set(epoch.flat().map((r) => r[0])).size).toBe(9);
    const b = rowCursor(rows, 3, 2, null);
    expect(Array.from({ length: 3 }, () => b.next())).not.toEqual(epoch);
  });
});
