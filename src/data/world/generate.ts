/**
 * Writes the world to a folder: one JSONL file per split and the data card (README.md).
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toJsonl } from "../jsonl.js";
import { buildWorld, type Checker, type WorldSizes } from "./build.js";
import { dataCard, type FileFacts } from "./card.js";

export interface GenerateOptions {
  out: string;
  seed: number;
  sizes: WorldSizes;
  /** How the sizes were asked for, for the card's regeneration command (e.g. `--size default`). */
  sizeArgs: string;
  check: Checker;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Generate, check and write every split plus README.md; returns the facts the card lists. */
export async function generateWorld(options: GenerateOptions): Promise<FileFacts[]> {
  const world = buildWorld(options.seed, options.sizes, options.check);
  await mkdir(options.out, { recursive: true });
  const facts: FileFacts[] = [];
  for (const f of world.files) {
    const text = toJsonl(f.rows);
    const file = `${f.name}.jsonl`;
    await writeFile(join(options.out, file), text, "utf8");
    const breakdown: Record<string, number> = {};
    for (const row of f.rows) {
      const label = "dataset" in row ? row.dataset : row.source;
      breakdown[label] = (breakdown[label] ?? 0) + 1;
    }
    facts.push({ file, format: f.format, split: f.split, rows: f.rows.length, bytes: Buffer.byteLength(text), sha256: sha256(text), purpose: f.purpose, breakdown });
  }
  const command = `posttrain data generate --out DIR --seed ${options.seed} ${options.sizeArgs}`;
  await writeFile(join(options.out, "README.md"), dataCard(command, facts, world.contamination), "utf8");
  return facts;
}
