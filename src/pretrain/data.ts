/**
 * Pretraining data: every document of every file tokenized and followed by EOS, the whole stream cut into
 * rows of exactly seq_length tokens (documents may span rows, as in nanoGPT and OLMo), and the rows visited
 * in a seeded order, epoch after epoch, from a resumable position.
 */
import { chunkTokens, indexCursor, readAll, type TokenizedExample } from "../data/index.js";
import type { DataCursor } from "../recipe/index.js";
import type { Tokenizer } from "../tokenizer/index.js";

/** Token rows of `seqLength` from the text files, in file order. */
export async function packedTextRows(files: string[], tokenizer: Tokenizer, seqLength: number): Promise<number[][]> {
  const docs: TokenizedExample[] = [];
  for (const file of files) {
    for (const row of await readAll(file, "text")) {
      const ids = [...tokenizer.encode(row.text), tokenizer.eosId];
      docs.push({ input_ids: ids, mask: ids.map(() => 1) });
    }
  }
  return chunkTokens(docs, seqLength).map((row) => row.input_ids);
}

/**
 * Batches of `batchSize` rows in a seeded shuffled order; `position()` is where the next batch starts.
 * Full batches only when there are enough rows (fixed shapes), else the whole set each step.
 */
export function rowCursor(rows: number[][], batchSize: number, seed: number, start: unknown): DataCursor<number[][]> {
  const cursor = indexCursor(rows.length, Math.min(batchSize, rows.length), seed, start, { dropLast: true });
  return {
    next: () => cursor.next().map((i) => rows[i]!),
    position: () => cursor.position(),
  };
}
