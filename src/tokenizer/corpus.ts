import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { DataError } from "../errors.js";

/**
 * The training texts of some files, streamed: `.txt` files whole; JSONL files (any other extension) row by row,
 * taking every string a tokenizer should see: `text`, `prompt`, and the `content` of each message in `messages`,
 * `chosen` and `rejected` (message lists, or plain strings for chosen/rejected). A row with none of these, or a line
 * that is not a JSON object, is a DataError naming the file and line.
 */
export async function* trainingTexts(files: readonly string[]): AsyncGenerator<string> {
  for (const file of files) {
    if (file.endsWith(".txt")) {
      yield await readFile(file, "utf8");
      continue;
    }
    let lineNo = 0;
    for await (const line of createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity })) {
      lineNo++;
      if (line.trim() === "") continue;
      const texts = rowTexts(parseObject(file, lineNo, line), file, lineNo);
      if (texts.length === 0) throw new DataError(file, lineNo, "", "no text: expected text, prompt, messages, chosen or rejected");
      yield* texts;
    }
  }
}

/** `{"id", "text"}` rows for `tokenizer encode`, streamed. */
export async function* idTextRows(file: string): AsyncGenerator<{ id: unknown; text: string }> {
  let lineNo = 0;
  for await (const line of createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === "") continue;
    const row = parseObject(file, lineNo, line);
    if (typeof row.text !== "string") throw new DataError(file, lineNo, "text", "must be a string");
    yield { id: row.id ?? null, text: row.text };
  }
}

function parseObject(file: string, lineNo: number, line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new DataError(file, lineNo, "", `invalid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new DataError(file, lineNo, "", "must be a JSON object");
  return value as Record<string, unknown>;
}

function rowTexts(row: Record<string, unknown>, file: string, lineNo: number): string[] {
  const texts: string[] = [];
  for (const field of ["text", "prompt"]) if (typeof row[field] === "string") texts.push(row[field] as string);
  for (const field of ["messages", "chosen", "rejected"]) {
    const value = row[field];
    if (value === undefined) continue;
    if (typeof value === "string") {
      texts.push(value);
      continue;
    }
    if (!Array.isArray(value)) throw new DataError(file, lineNo, field, "must be a list of messages or a string");
    value.forEach((m, i) => {
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof content !== "string") throw new DataError(file, lineNo, `${field}[${i}].content`, "must be a string");
      texts.push(content);
    });
  }
  return texts;
}
