import * as fs from "node:fs";
import * as path from "node:path";
import { PosttrainError } from "../errors.js";

/** One metrics row: `step` plus any named values (loss, lr, grad_norm, tokens_per_s, rewards/chosen, ...). */
export type MetricsRow = { step: number } & Record<string, number | string | boolean | null>;

/**
 * Appends one JSON object per line to a `metrics.jsonl`. Every row is written with a synchronous `write`
 * on an append-mode descriptor, so a process killed after `append` returns keeps the row (it sits in the
 * OS, not in a JS buffer). Non-finite numbers are written as null, since JSON has no NaN.
 *
 * `resumeAfterStep`: when continuing an interrupted run from the checkpoint at step k, rows with
 * step > k (written after that checkpoint, and about to be recomputed) are dropped first, so the file ends
 * up as an uninterrupted run would have written it.
 */
export class MetricsWriter {
  readonly file: string;
  private fd: number | null;

  constructor(file: string, options: { resumeAfterStep?: number } = {}) {
    this.file = file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (options.resumeAfterStep !== undefined) {
      const kept = readMetrics(file).filter((row) => row.step <= options.resumeAfterStep!);
      fs.writeFileSync(file, kept.map((row) => JSON.stringify(row) + "\n").join(""));
    }
    this.fd = fs.openSync(file, "a");
  }

  append(row: MetricsRow): void {
    if (this.fd === null) throw new PosttrainError(`${this.file}: metrics writer is closed`);
    if (!Number.isInteger(row.step)) throw new PosttrainError(`${this.file}: metrics row needs an integer step, got ${row.step}`);
    fs.writeSync(this.fd, JSON.stringify(row, finiteOrNull) + "\n");
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Read a metrics.jsonl back. A missing file is empty; a torn last line (the process died mid-write) is
 * ignored; a bad line elsewhere is an error naming the file and line.
 */
export function readMetrics(file: string): MetricsRow[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const rows: MetricsRow[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      rows.push(JSON.parse(line) as MetricsRow);
    } catch {
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === "");
      if (!isLast) throw new PosttrainError(`${file}:${index + 1}: not a JSON object`);
    }
  });
  return rows;
}

function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}
