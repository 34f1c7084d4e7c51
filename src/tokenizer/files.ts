import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TokenizerError } from "./errors.js";

/** Read and parse a JSON file, with errors that name the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new TokenizerError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new TokenizerError(path, `is not valid JSON (${(err as Error).message})`);
  }
}

/** Write a file atomically: a temporary file in the same folder, then rename over the target. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(tmp, text, "utf8");
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonFiles(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(dir, name), text);
}

/**
 * tokenizer.json text as HF writes it (serde_json pretty: two-space indent), with `model.vocab` in id order. Plain
 * JSON.stringify would put integer-like tokens ("0", "12") first, since JS orders such object keys numerically.
 */
export function stringifyTokenizerJson(json: Record<string, unknown>): string {
  const model = json.model as Record<string, unknown> | undefined;
  const vocab = model?.vocab as Record<string, number> | undefined;
  if (!model || !vocab) return JSON.stringify(json, null, 2) + "\n";
  const placeholder = "\u0000posttrain-vocab\u0000";
  const text = JSON.stringify({ ...json, model: { ...model, vocab: placeholder } }, null, 2);
  const entries = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
  const indent = "      "; // root(2) + model(4) → entries at 6
  const body = entries.length === 0 ? "{}" : `{\n${entries.map(([t, id]) => `${indent}${JSON.stringify(t)}: ${id}`).join(",\n")}\n    }`;
  return text.replace(JSON.stringify(placeholder), () => body) + "\n";
}
