/**
 * `posttrain verify --in FILE.jsonl [--out FILE.jsonl] [--concurrency N] [--skip-invalid] [--timeout-ms N]`
 * Streams rows to the verifier pool and writes one result line per valid row, in input order:
 * `{"id", "verifier", "correct", "reward", "details"}`. A summary goes to stderr.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { DataError, PosttrainError, VerifierSpecError } from "../errors.js";
import { parseVerifyRow, VerifierPool, VerifySummary, type VerifyResult, type VerifyRow } from "../verifiers/index.js";
import { parseCommand, UsageError } from "./args.js";

const USAGE = `usage: posttrain verify --in FILE.jsonl [--out FILE.jsonl] [--concurrency N] [--skip-invalid] [--timeout-ms N]
             [--correct-reward R] [--incorrect-reward R]
  rows: {"id", "verifier" (or "dataset"): gsm8k|math|ifeval, "response", "ground_truth" | "instruction_id_list" + "kwargs", "prompt"?}
  --timeout-ms   time budget per row (default 5000); a row still running 1 s later is abandoned and scored incorrect
  --skip-invalid report malformed rows on stderr and go on (default: stop at the first one)`;

const MAX_PENDING_PER_WORKER = 64;

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new PosttrainError(`--${name} must be a positive number, got '${value}'`);
  return n;
}

function finiteNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new PosttrainError(`--${name} must be a number, got '${value}'`);
  return n;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    "verify",
    argv,
    {
      in: { type: "string" },
      out: { type: "string" },
      concurrency: { type: "string" },
      "skip-invalid": { type: "boolean", default: false },
      "timeout-ms": { type: "string" },
      "correct-reward": { type: "string" },
      "incorrect-reward": { type: "string" },
    },
    USAGE,
    (values) => {
      if (!values.in) throw new UsageError("--in is required");
      return values.in;
    },
  );
  if (typeof parsed === "number") return parsed;
  const { values, opts: file } = parsed;
  const concurrency = Math.floor(positiveNumber("concurrency", values.concurrency, Math.max(1, availableParallelism())));
  const pool = new VerifierPool({
    concurrency,
    timeBudgetMs: positiveNumber("timeout-ms", values["timeout-ms"], 5000),
    correctReward: finiteNumber("correct-reward", values["correct-reward"]),
    incorrectReward: finiteNumber("incorrect-reward", values["incorrect-reward"]),
  });
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  const summary = new VerifySummary();
  const pending: { line: number; row: VerifyRow; result: Promise<VerifyResult> }[] = [];
  let skipped = 0;

  const flushHead = async (): Promise<void> => {
    const head = pending.shift()!;
    let result: VerifyResult;
    try {
      result = await head.result;
    } catch (err) {
      if (!(err instanceof VerifierSpecError)) throw err;
      const problem = new DataError(file, head.line, "spec", err.message);
      if (!values["skip-invalid"]) throw problem;
      console.error(`posttrain verify: skipped ${problem.message}`);
      skipped++;
      return;
    }
    const ids = head.row.spec.instruction_id_list ?? (result.details.instruction_id_list as string[] | undefined);
    summary.add(head.row.verifier, result, ids);
    const line = { id: head.row.id, verifier: head.row.verifier, correct: result.correct, reward: result.reward, details: result.details };
    await write(out, JSON.stringify(line) + "\n");
  };

  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const text of lines) {
      lineNo++;
      if (text.trim() === "") continue;
      let row: VerifyRow;
      try {
        row = parseVerifyRow(text, file, lineNo);
      } catch (err) {
        if (!(err instanceof DataError) || !values["skip-invalid"]) throw err;
        console.error(`posttrain verify: skipped ${err.message}`);
        skipped++;
        continue;
      }
      const result = pool.verify(row.verifier, row.response, row.spec);
      result.catch(() => undefined); // awaited in order by flushHead
      pending.push({ line: lineNo, row, result });
      while (pending.length > concurrency * MAX_PENDING_PER_WORKER) await flushHead();
    }
    while (pending.length > 0) await flushHead();
  } finally {
    await pool.close();
    if (out !== process.stdout) {
      out.end();
      await once(out, "close");
    }
  }
  console.error(summary.format());
  if (skipped > 0) console.error(`skipped ${skipped} invalid row(s)`);
  return 0;
}
