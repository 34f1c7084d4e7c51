import { BYTE_TO_CHAR, utf8Bytes } from "./bytes.js";
import { Heap } from "./heap.js";

/** Pair key for two ids below 2^22 (exact in a double). */
export const pairKey = (left: number, right: number): number => left * 4194304 + right;
export const MAX_ID = 4194304;

/** The ids of one piece and how many input bytes each id covers. */
export interface PieceTokens {
  ids: number[];
  byteLens: number[];
  /** UTF-8 length of the piece (more than the sum of byteLens when symbols missing from the vocabulary were dropped). */
  byteLength: number;
}

export interface BpeOptions {
  unkId?: number;
  fuseUnk: boolean;
  ignoreMerges: boolean;
}

/**
 * The BPE model of a byte-level tokenizer.json, with HF Rust `tokenizers` semantics (`models/bpe/model.rs`,
 * `word.rs`):
 * - a piece's bytes become byte symbols; a symbol missing from the vocabulary becomes the unk id if there is one and is
 *   otherwise dropped, so its neighbours can still merge (the JS package keeps it through merging instead);
 * - merges apply lowest rank first, leftmost first among equal ranks; a duplicated merge keeps its last rank (HashMap
 *   insertion in Rust);
 * - `ignore_merges`: a piece that is itself a vocabulary entry is emitted whole.
 */
export class BpeModel {
  private readonly merges = new Map<number, { rank: number; id: number }>();
  private readonly byteIds: (number | undefined)[];
  private readonly cache = new Map<string, PieceTokens>();

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    mergeList: readonly (readonly [number, number, number])[],
    private readonly options: BpeOptions,
  ) {
    mergeList.forEach(([left, right, id], rank) => this.merges.set(pairKey(left, right), { rank, id }));
    this.byteIds = BYTE_TO_CHAR.map((c) => vocab.get(c));
  }

  /** Ids for one pre-tokenized piece (its text before the byte-level mapping). Callers must not mutate the result. */
  encodePiece(piece: string): PieceTokens {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    const result = this.encodeUncached(utf8Bytes(piece));
    // Bounded cache: pieces repeat heavily (words), but a corpus can have millions of distinct ones.
    if (this.cache.size >= 200_000) this.cache.clear();
    this.cache.set(piece, result);
    return result;
  }

  private encodeUncached(bytes: Uint8Array): PieceTokens {
    if (this.options.ignoreMerges) {
      let symbols = "";
      for (const b of bytes) symbols += BYTE_TO_CHAR[b];
      const whole = this.vocab.get(symbols);
      if (whole !== undefined) return { ids: [whole], byteLens: [bytes.length], byteLength: bytes.length };
    }
    const ids: number[] = [];
    const lens: number[] = [];
    let unkLen = 0; // pending unk run (bytes), for fuse_unk
    const flushUnk = (): void => {
      if (unkLen > 0) {
        ids.push(this.options.unkId!);
        lens.push(unkLen);
        unkLen = 0;
      }
    };
    for (const byte of bytes) {
      const id = this.byteIds[byte];
      if (id !== undefined) {
        flushUnk();
        ids.push(id);
        lens.push(1);
      } else if (this.options.unkId !== undefined) {
        if (!this.options.fuseUnk) flushUnk();
        unkLen += 1;
      }
    }
    flushUnk();
    return { ...this.mergeAll(ids, lens), byteLength: bytes.length };
  }

  /** Rust `Word::merge_all`: a min-heap of (rank, position) over a doubly linked list of symbols. */
  private mergeAll(ids: number[], lens: number[]): { ids: number[]; byteLens: number[] } {
    const n = ids.length;
    if (n < 2) return { ids, byteLens: lens };
    const prev = Array.from({ length: n }, (_, i) => i - 1);
    const next = Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    type Candidate = { rank: number; pos: number; id: number };
    const heap = new Heap<Candidate>((a, b) => a.rank < b.rank || (a.rank === b.rank && a.pos < b.pos));
    const consider = (pos: number): void => {
      const right = next[pos]!;
      if (right < 0) return;
      const merge = this.merges.get(pairKey(ids[pos]!, ids[right]!));
      if (merge) heap.push({ rank: merge.rank, pos, id: merge.id });
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    for (let top = heap.pop(); top; top = heap.pop()) {
      const { pos } = top;
      if (lens[pos] === 0) continue; // merged into its left neighbour already
      const right = next[pos]!;
      if (right < 0) continue;
      const merge = this.merges.get(pairKey(ids[pos]!, ids[right]!));
      if (!merge || merge.id !== top.id) continue; // stale entry
      ids[pos] = top.id;
      lens[pos] = lens[pos]! + lens[right]!;
      lens[right] = 0;
      next[pos] = next[right]!;
      if (next[pos]! >= 0) prev[next[pos]!] = pos;
      if (prev[pos]! >= 0) consider(prev[pos]!);
      consider(pos);
    }
    const outIds: number[] = [];
    const outLens: number[] = [];
    for (let i = 0; i < n; i++) {
      if (lens[i]! > 0) {
        outIds.push(ids[i]!);
        outLens.push(lens[i]!);
      }
    }
    return { ids: outIds, byteLens: outLens };
  }
}
