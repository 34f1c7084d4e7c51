import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError, DataErrors } from "../errors.js";
import { detectFormat, readAll, readJsonl, toJsonl, validateFile } from "./jsonl.js";

const dir = mkdtempSync(join(tmpdir(), "posttrain-jsonl-"));
function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

const good = (i: number) => JSON.stringify({ id: `r/${i}`, messages: [{ role: "user", content: `q${i}` }, { role: "assistant", content: `a${i}` }], source: "t" });

describe("readJsonl", () => {
  it("streams normalised rows and skips blank lines", async () => {
    const path = file("ok.jsonl", [good(1), "", good(2), "   "]);
    const rows = await readAll(path, "sft");
    expect(rows.map((r) => r.id)).toEqual(["r/1", "r/2"]);
  });

  it("throws a DataError naming the file, the 1-based line and the field", async () => {
    const path = file("bad-role.jsonl", [good(1), good(2), JSON.stringify({ messages: [{ role: "bot", content: "x" }], source: "t" })]);
    const err = await readAll(path, "sft").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(`${path}:3: field /messages/0/role: must be one of "system", "user", "assistant"`);
    expect(err).toMatchObject({ file: path, line: 3, field: "/messages/0/role" });
  });

  it("reports several problems of one line together", async () => {
    const path = file("two-problems.jsonl", [JSON.stringify({ messages: [{ role: "bot", content: 1 }] })]);
    const err = await readAll(path, "sft").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataErrors);
    expect((err as DataErrors).errors.map((e) => e.field)).toEqual(["/messages/0/role", "/messages/0/content"]);
  });

  it.each([
    ["invalid JSON", "{not json", /^.*:1: field \(row\): invalid JSON \(/],
    ["a JSON array", "[1, 2]", /^.*:1: field \(row\): must be a JSON object$/],
    ["a JSON string", '"text"', /^.*:1: field \(row\): must be a JSON object$/],
  ])("names the line of %s", async (_name, line, message) => {
    const err = await readAll(file("bad-line.jsonl", [line]), "text").catch((e: unknown) => e);
    expect((err as DataError).message).toMatch(message);
  });

  it("with skipInvalid skips and counts bad lines, keeping their errors", async () => {
    const path = file("mixed.jsonl", [good(1), "{oops", good(2), JSON.stringify({ messages: [], source: "t" }), good(3)]);
    const stream = readJsonl(path, "sft", { skipInvalid: true });
    const ids: string[] = [];
    for await (const row of stream) ids.push(row.id);
    expect(ids).toEqual(["r/1", "r/2", "r/3"]);
    expect(stream.stats.rows).toBe(3);
    expect(stream.stats.skipped).toBe(2);
    expect(stream.stats.firstErrors.map((e) => e.line)).toEqual([2, 4]);
  });

  it("streams a file spanning many read chunks (64 KiB each)", async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ text: `document ${i} `.repeat(20), source: "s" }));
    let n = 0;
    for await (const row of readJsonl(file("big.jsonl", lines), "text")) n += row.text.length > 0 ? 1 : 0;
    expect(n).toBe(5000);
  });
});

describe("validateFile", () => {
  it("lists every problem of every line at once", async () => {
    const path = file("many.jsonl", [good(1), "{oops", JSON.stringify({ messages: [{ role: "user", content: "q" }], source: "t" }), JSON.stringify({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }] })]);
    const err = await validateFile(path, "sft").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataErrors);
    const errors = (err as DataErrors).errors;
    expect(errors.map((e) => `${e.line} ${e.field}`)).toEqual(["2 ", "3 /messages", "4 /source"]);
    expect((err as DataErrors).message).toContain("3 invalid row(s):");
  });

  it("returns the row count of a valid file", async () => {
    expect(await validateFile(file("valid.jsonl", [good(1), good(2)]), "sft")).toEqual({ rows: 2 });
  });
});

describe("detectFormat and toJsonl", () => {
  it("tells the format from the first row's keys", async () => {
    expect(await detectFormat(file("d1.jsonl", ["", good(1)]))).toBe("sft");
    expect(await detectFormat(file("d2.jsonl", [JSON.stringify({ chosen: [], rejected: [] })]))).toBe("preference");
    expect(await detectFormat(file("d3.jsonl", [JSON.stringify({ messages: [], ground_truth: "1", dataset: "gsm8k" })]))).toBe("rlvr");
    expect(await detectFormat(file("d4.jsonl", [JSON.stringify({ text: "x" })]))).toBe("text");
    await expect(detectFormat(file("d5.jsonl", [JSON.stringify({ foo: 1 })]))).rejects.toThrow(/:1: field \(row\): cannot tell the format/);
  });

  it("writes one object per line with a final newline, and reads back the same rows", async () => {
    const rows = [{ id: "a", text: "x\ny", source: "s" }, { id: "b", text: "é", source: "s" }];
    const text = toJsonl(rows);
    expect(text).toBe('{"id":"a","text":"x\\ny","source":"s"}\n{"id":"b","text":"é","source":"s"}\n');
    const path = join(dir, "round.jsonl");
    writeFileSync(path, text);
    expect(await readAll(path, "text")).toEqual(rows);
  });
});
