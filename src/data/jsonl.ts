/**
 * Streaming JSONL: one row at a time through node:readline over a file stream, never the whole file in memory.
 * Every bad line becomes a DataError naming the file, the 1-based line and the field (a JSON pointer).
 */
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { DataError, DataErrors } from "../errors.js";
import type { Format, RowOf } from "./formats.js";
import { normalizeRow } from "./normalize.js";

export interface ReadOptions {
  /** Skip bad lines (counted in `stats`) instead of throwing on the first one. */
  skipInvalid?: boolean;
}

export interface ReadStats {
  /** Valid rows yielded so far. */
  rows: number;
  /** Bad lines skipped so far (only with skipInvalid). */
  skipped: number;
  /** The first few skipped problems, for a summary. */
  firstErrors: DataError[];
}

/** How many skipped-line errors a stream keeps for its summary (the count is exact regardless). */
const KEPT_ERRORS = 20;

/** An async iterable of normalised rows whose `stats` fill in as it is consumed. */
export interface JsonlStream<F extends Format> extends AsyncIterable<RowOf[F]> {
  readonly stats: ReadStats;
}

/** One JSONL line parsed and normalised, or the DataErrors it earns (blank lines yield nothing). */
export function parseLine<F extends Format>(file: string, lineNo: number, text: string, format: F): RowOf[F] | DataError[] | null {
  if (text.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return [new DataError(file, lineNo, "", `invalid JSON (${(err as Error).message})`)];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [new DataError(file, lineNo, "", "must be a JSON object")];
  }
  const result = normalizeRow(format, value);
  if (result.problems) return result.problems.map((p) => new DataError(file, lineNo, p.field, p.problem));
  return result.row;
}

async function* numberedLines(file: string): AsyncGenerator<[number, string]> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) yield [++lineNo, line];
}

/**
 * Stream a JSONL file as normalised rows of `format`. Without skipInvalid the first bad line throws a DataError
 * (all of that line's problems at once, as DataErrors, when there are several).
 */
export function readJsonl<F extends Format>(file: string, format: F, options: ReadOptions = {}): JsonlStream<F> {
  const stats: ReadStats = { rows: 0, skipped: 0, firstErrors: [] };
  async function* rows(): AsyncGenerator<RowOf[F]> {
    for await (const [lineNo, text] of numberedLines(file)) {
      const parsed = parseLine(file, lineNo, text, format);
      if (parsed === null) continue;
      if (Array.isArray(parsed)) {
        if (!options.skipInvalid) throw parsed.length === 1 ? parsed[0]! : new DataErrors(parsed);
        stats.skipped++;
        if (stats.firstErrors.length < KEPT_ERRORS) stats.firstErrors.push(...parsed.slice(0, KEPT_ERRORS - stats.firstErrors.length));
        continue;
      }
      stats.rows++;
      yield parsed;
    }
  }
  return { stats, [Symbol.asyncIterator]: rows };
}

/** Check a whole file; throws DataErrors listing every problem on every line. Returns the row count. */
export async function validateFile(file: string, format: Format): Promise<{ rows: number }> {
  const errors: DataError[] = [];
  let rows = 0;
  for await (const [lineNo, text] of numberedLines(file)) {
    const parsed = parseLine(file, lineNo, text, format);
    if (parsed === null) continue;
    if (Array.isArray(parsed)) errors.push(...parsed);
    else rows++;
  }
  if (errors.length > 0) throw new DataErrors(errors);
  return { rows };
}

/** Read a whole (small) JSONL file into memory: for generated splits and tests, not training corpora. */
export async function readAll<F extends Format>(file: string, format: F): Promise<RowOf[F][]> {
  const out: RowOf[F][] = [];
  for await (const row of readJsonl(file, format)) out.push(row);
  return out;
}

/** Rows as JSONL text: one JSON object per line, key order as given, a final newline. */
export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r) + "\n").join("");
}

export async function writeJsonl(file: string, rows: readonly object[]): Promise<void> {
  await writeFile(file, toJsonl(rows), "utf8");
}

/**
 * The format of a JSONL file from the keys of its first row: `chosen` -> preference, `ground_truth` -> rlvr,
 * `messages` -> sft, `text` -> text. Reads only the first non-blank line.
 */
export async function detectFormat(file: string): Promise<Format> {
  for await (const [lineNo, text] of numberedLines(file)) {
    if (text.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (err) {
      throw new DataError(file, lineNo, "", `invalid JSON (${(err as Error).message})`);
    }
    const has = (key: string) => typeof row === "object" && row !== null && key in row;
    if (has("chosen")) return "preference";
    if (has("ground_truth")) return "rlvr";
    if (has("messages")) return "sft";
    if (has("text")) return "text";
    throw new DataError(file, lineNo, "", "cannot tell the format: expected `chosen`, `ground_truth`, `messages` or `text`");
  }
  throw new DataError(file, 1, "", "empty file: no row to tell the format from");
}
