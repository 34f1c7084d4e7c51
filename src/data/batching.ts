/**
 * Batching for training, tokenizer-agnostic: it works on already-tokenized examples.
 *
 * - A seeded shuffle per epoch and a resumable position {epoch, index}: the same seed and position give the same
 *   batches afterwards, so a resumed run sees exactly the data an uninterrupted one would.
 * - Padding to [B, T] with an attention mask and a loss mask (right padding).
 * - Packing: whole examples concatenated into rows of at most T tokens, each token tagged with its segment and its
 *   position inside that segment (open-instruct's padding-free collator keeps the same boundaries via cu_seq_lens),
 *   and plain chunking of a token stream for causal-LM pretraining.
 */
import { Rng } from "../rng.js";

/** `mask[t] = 1` when token t is a training target (predicted from tokens < t); 0 for prompt tokens. */
export interface TokenizedExample {
  input_ids: number[];
  mask: number[];
}

/** Where the next batch starts: the epoch, and the index into that epoch's shuffled order. */
export interface Position {
  epoch: number;
  index: number;
}

/** A [B, T] batch, row-major flat arrays. */
export interface Batch {
  batchSize: number;
  length: number;
  inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  /** 1 where the token is a loss target. */
  lossMask: Float32Array;
  /** 1-based index of the example a token belongs to within its row; 0 for padding. */
  segmentIds: Int32Array;
  /** Position of the token inside its own example (restarts at 0 for each packed example). */
  positionIds: Int32Array;
}

/** The order examples are visited in during `epoch`: a permutation of 0..size-1 fixed by (seed, epoch). */
export function epochOrder(size: number, seed: number, epoch: number): number[] {
  // Mix the epoch into the seed so each epoch's permutation is independent and needs no earlier draws.
  const rng = new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0);
  return rng.shuffle(Array.from({ length: size }, (_, i) => i));
}

export interface IndexBatch {
  /** Example indices of this batch. */
  indices: number[];
  /** Where this batch started. */
  position: Position;
  /** Where the next batch starts: save it to resume. */
  next: Position;
}

/**
 * Batches of example indices, epoch after epoch, forever (the caller stops at its step or epoch budget).
 * A batch never spans two epochs; the last partial batch of an epoch is yielded unless dropLast.
 */
export function* batchIndices(
  size: number,
  batchSize: number,
  seed: number,
  start: Position = { epoch: 0, index: 0 },
  options: { dropLast?: boolean } = {},
): Generator<IndexBatch> {
  if (size <= 0) throw new Error("batchIndices: no examples");
  if (batchSize <= 0) throw new Error(`batchIndices: batch size must be positive, got ${batchSize}`);
  if (options.dropLast && batchSize > size) throw new Error(`batchIndices: batch size ${batchSize} > ${size} examples with dropLast`);
  let { epoch, index } = start;
  let order = epochOrder(size, seed, epoch);
  for (;;) {
    const remaining = size - index;
    if (remaining <= 0 || (options.dropLast && remaining < batchSize)) {
      epoch++;
      index = 0;
      order = epochOrder(size, seed, epoch);
      continue;
    }
    const end = Math.min(size, index + batchSize);
    const next = end >= size ? { epoch: epoch + 1, index: 0 } : { epoch, index: end };
    yield { indices: order.slice(index, end), position: { epoch, index }, next };
    index = end;
  }
}

/** A resumable stream of index batches (what each training stage's data cursor wraps). */
export interface IndexCursor {
  /** The example indices of the next batch. */
  next(): number[];
  /** Where the batch after the last one returned starts: JSON, pass it back as `start` to continue there. */
  position(): Position;
}

/**
 * batchIndices with its position kept: `start` is a position saved from `position()` (parsed back from
 * JSON), or null for the beginning. Same batches, in the same order, as batchIndices from that position.
 */
export function indexCursor(
  size: number,
  batchSize: number,
  seed: number,
  start: unknown,
  options: { dropLast?: boolean } = {},
): IndexCursor {
  let position = (start as Position | null) ?? { epoch: 0, index: 0 };
  const batches = batchIndices(size, batchSize, seed, position, options);
  return {
    next() {
      const batch = batches.next().value as IndexBatch;
      position = batch.next;
      return batch.indices;
    },
    position: () => position,
  };
}

function emptyBatch(batchSize: number, length: number): Batch {
  const n = batchSize * length;
  return {
    batchSize,
    length,
    inputIds: new Int32Array(n),
    attentionMask: new Int32Array(n),
    lossMask: new Float32Array(n),
    segmentIds: new Int32Array(n),
    positionIds: new Int32Array(n),
  };
}

function checkExample(ex: TokenizedExample, where: string): void {
  if (ex.input_ids.length !== ex.mask.length) {
    throw new Error(`${where}: input_ids has ${ex.input_ids.length} tokens but mask has ${ex.mask.length}`);
  }
}

/**
 * Right-pad examples to [B, T] with T = the longest example (capped at maxLength; longer examples are cut at
 * the right). Padding gets padId, attention 0 and loss 0.
 */
export function padBatch(examples: readonly TokenizedExample[], options: { padId: number; maxLength?: number }): Batch {
  if (examples.length === 0) throw new Error("padBatch: empty batch");
  examples.forEach((ex, i) => checkExample(ex, `padBatch: example ${i}`));
  const longest = Math.max(...examples.map((ex) => ex.input_ids.length));
  const length = Math.min(longest, options.maxLength ?? longest);
  const batch = emptyBatch(examples.length, length);
  batch.inputIds.fill(options.padId);
  examples.forEach((ex, b) => {
    const n = Math.min(ex.input_ids.length, length);
    for (let t = 0; t < n; t++) {
      const k = b * length + t;
      batch.inputIds[k] = ex.input_ids[t]!;
      batch.attentionMask[k] = 1;
      batch.lossMask[k] = ex.mask[t]!;
      batch.segmentIds[k] = 1;
      batch.positionIds[k] = t;
    }
  });
  return batch;
}

/**
 * Pack whole examples, in order, into rows of at most maxLength tokens: an example that does not fit in the
 * current row starts a new one; an example longer than maxLength is cut to maxLength. Each row is padded at the
 * right. Returns the rows as one [rows, maxLength] batch; segmentIds and positionIds let attention and
 * position embeddings stay within each example.
 */
export function packExamples(examples: readonly TokenizedExample[], options: { padId: number; maxLength: number }): Batch {
  const { maxLength, padId } = options;
  if (maxLength <= 0) throw new Error(`packExamples: maxLength must be positive, got ${maxLength}`);
  const rows: TokenizedExample[][] = [];
  let current: TokenizedExample[] = [];
  let used = 0;
  examples.forEach((ex, i) => {
    checkExample(ex, `packExamples: example ${i}`);
    const n = Math.min(ex.input_ids.length, maxLength);
    if (n === 0) return;
    if (used + n > maxLength) {
      rows.push(current);
      current = [];
      used = 0;
    }
    current.push(ex);
    used += n;
  });
  if (current.length > 0) rows.push(current);
  const batch = emptyBatch(rows.length, maxLength);
  batch.inputIds.fill(padId);
  rows.forEach((row, r) => {
    let t = 0;
    row.forEach((ex, s) => {
      const n = Math.min(ex.input_ids.length, maxLength);
      for (let p = 0; p < n; p++, t++) {
        const k = r * maxLength + t;
        batch.inputIds[k] = ex.input_ids[p]!;
        batch.attentionMask[k] = 1;
        batch.lossMask[k] = ex.mask[p]!;
        batch.segmentIds[k] = s + 1;
        batch.positionIds[k] = p;
      }
    });
  });
  return batch;
}

/**
 * Plain packing for causal-LM pretraining: concatenate the examples' tokens (and masks) into one stream and cut
 * it into rows of exactly `length` tokens; the incomplete tail is dropped. Documents may span rows; the
 * tokenizer's EOS between documents is the caller's choice.
 */
export function chunkTokens(examples: readonly TokenizedExample[], length: number): TokenizedExample[] {
  if (length <= 0) throw new Error(`chunkTokens: length must be positive, got ${length}`);
  const out: TokenizedExample[] = [];
  let ids: number[] = [];
  let mask: number[] = [];
  examples.forEach((ex, i) => {
    checkExample(ex, `chunkTokens: example ${i}`);
    for (let p = 0; p < ex.input_ids.length; p++) {
      ids.push(ex.input_ids[p]!);
      mask.push(ex.mask[p]!);
      if (ids.length === length) {
        out.push({ input_ids: ids, mask });
        ids = [];
        mask = [];
      }
    }
  });
  return out;
}
