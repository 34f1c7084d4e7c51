/**
 * SFT examples: each conversation rendered with the chat template into token ids and the assistant mask,
 * truncated to max_seq_length; rows with no assistant token left are dropped (open-instruct does the same).
 * With packing, consecutive examples share rows of max_seq_length (positions restart per example; attention
 * stays causal over the whole row, as HF packing without a varlen attention kernel).
 */
import { indexCursor, packExamples, padBatch, readAll, type Batch, type TokenizedExample } from "../data/index.js";
import type { DataCursor } from "../recipe/index.js";
import type { Tokenizer } from "../tokenizer/index.js";

export async function sftExamples(
  files: string[],
  tokenizer: Tokenizer,
  maxSeqLength: number,
): Promise<{ examples: TokenizedExample[]; dropped: number }> {
  const examples: TokenizedExample[] = [];
  let dropped = 0;
  for (const file of files) {
    for (const row of await readAll(file, "sft")) {
      const { input_ids, assistant_mask } = tokenizer.encodeChat(row.messages);
      const example = { input_ids: input_ids.slice(0, maxSeqLength), mask: assistant_mask.slice(0, maxSeqLength) };
      // Position 0 is never a target (nothing precedes it); a row needs a label after it.
      if (example.mask.slice(1).some((m) => m === 1)) examples.push(example);
      else dropped++;
    }
  }
  return { examples, dropped };
}

/** Packed rows, each a full max_seq_length row with its own position ids. */
export function packRows(examples: TokenizedExample[], padId: number, maxSeqLength: number): Batch[] {
  const packed = packExamples(examples, { padId, maxLength: maxSeqLength });
  const rows: Batch[] = [];
  for (let r = 0; r < packed.batchSize; r++) {
    const at = (a: Int32Array | Float32Array) => a.slice(r * packed.length, (r + 1) * packed.length);
    rows.push({
      batchSize: 1,
      length: packed.length,
      inputIds: at(packed.inputIds) as Int32Array,
      attentionMask: at(packed.attentionMask) as Int32Array,
      lossMask: at(packed.lossMask) as Float32Array,
      segmentIds: at(packed.segmentIds) as Int32Array,
      positionIds: at(packed.positionIds) as Int32Array,
    });
  }
  return rows;
}

/** Rows of one micro-batch stacked into one [B, T] batch. */
function stackRows(rows: Batch[]): Batch {
  const length = rows[0]!.length;
  const cat = <A extends Int32Array | Float32Array>(pick: (b: Batch) => A, make: new (n: number) => A): A => {
    const out = new make(rows.length * length);
    rows.forEach((row, i) => out.set(pick(row), i * length));
    return out;
  };
  return {
    batchSize: rows.length,
    length,
    inputIds: cat((b) => b.inputIds, Int32Array),
    attentionMask: cat((b) => b.attentionMask, Int32Array),
    lossMask: cat((b) => b.lossMask, Float32Array),
    segmentIds: cat((b) => b.segmentIds, Int32Array),
    positionIds: cat((b) => b.positionIds, Int32Array),
  };
}

/** A micro-batch plus the label-token count of its whole optimizer step (the "mean" reduction's N). */
export interface SftMicroBatch {
  batch: Batch;
  stepLabelTokens: number;
}

/** Label tokens of a batch after the causal shift (targets are positions 1..T-1). */
export function labelTokens(batch: Batch): number {
  let n = 0;
  for (let b = 0; b < batch.batchSize; b++) {
    for (let t = 1; t < batch.length; t++) n += batch.lossMask[b * batch.length + t]!;
  }
  return n;
}

/** Non-padding tokens of a batch (for tokens/s). */
export function realTokens(batch: Batch): number {
  return batch.attentionMask.reduce((n, m) => n + m, 0);
}

/**
 * Micro-batches in a seeded order, G at a time so each knows its step's label-token total. `position()` is
 * exact at step boundaries, which is where checkpoints are taken.
 */
export function sftCursor(
  items: { examples?: TokenizedExample[]; rows?: Batch[] },
  o: { batchSize: number; accumulation: number; seed: number; padId: number; start: unknown },
): DataCursor<SftMicroBatch> {
  const size = items.rows?.length ?? items.examples!.length;
  const cursor = indexCursor(size, o.batchSize, o.seed, o.start);
  const queue: SftMicroBatch[] = [];
  const makeBatch = (indices: number[]): Batch =>
    items.rows ? stackRows(indices.map((i) => items.rows![i]!)) : padBatch(indices.map((i) => items.examples![i]!), { padId: o.padId });
  return {
    next() {
      if (queue.length === 0) {
        const group: Batch[] = [];
        for (let g = 0; g < o.accumulation; g++) group.push(makeBatch(cursor.next()));
        const stepLabelTokens = group.reduce((n, b) => n + labelTokens(b), 0);
        queue.push(...group.map((batch) => ({ batch, stepLabelTokens })));
      }
      return queue.shift()!;
    },
    position: () => cursor.position(),
  };
}
