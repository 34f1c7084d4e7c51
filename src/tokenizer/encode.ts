import { AddedTokenSplitter } from "./added.js";
import { CHAR_TO_BYTE, utf8Bytes, utf8Decode, utf8Length } from "./bytes.js";
import type { ParsedTokenizer } from "./parse.js";

/** Token ids with the UTF-8 byte range of the input that each one covers. */
export interface EncodedSpans {
  ids: number[];
  byteStarts: number[];
  byteEnds: number[];
}

/**
 * Encode text: split out added tokens (each becomes its own id, wherever it appears, as HF does with
 * `split_special_tokens=False`), pre-tokenize the rest, map each piece's UTF-8 bytes to byte symbols and run BPE.
 * No special tokens are added. Offsets are in UTF-8 bytes of `text`; a prefix space that ByteLevel adds has no width.
 */
export function encodeSpans(tok: ParsedTokenizer, splitter: AddedTokenSplitter, text: string): EncodedSpans {
  const out: EncodedSpans = { ids: [], byteStarts: [], byteEnds: [] };
  // Running position: UTF-16 index `charAt` is UTF-8 offset `byteAt`.
  let charAt = 0;
  let byteAt = 0;
  const byteOffset = (index: number): number => {
    byteAt += utf8Length(text.slice(charAt, index));
    charAt = index;
    return byteAt;
  };
  for (const section of splitter.split(text)) {
    if (section.addedId !== undefined) {
      out.ids.push(section.addedId);
      out.byteStarts.push(byteOffset(section.start));
      out.byteEnds.push(byteOffset(section.end));
      continue;
    }
    for (const piece of tok.pre.split(text, section.start, section.end)) {
      const { ids, byteLens, byteLength } = tok.model.encodePiece(piece.text);
      const pieceStart = byteOffset(piece.start);
      let at = -piece.lead; // synthetic leading spaces are one byte each and map to the piece start
      for (let k = 0; k < ids.length; k++) {
        out.ids.push(ids[k]!);
        out.byteStarts.push(pieceStart + Math.max(0, at));
        at += byteLens[k]!;
        out.byteEnds.push(pieceStart + Math.max(0, at));
      }
      // The piece's bytes are known now: move the running position past it without measuring again.
      charAt = piece.end;
      byteAt = pieceStart + byteLength - piece.lead;
    }
  }
  return out;
}

/**
 * HF's decode: ids → tokens (unknown ids are skipped, as Rust's `filter_map` does), special added tokens dropped on
 * request, then the ByteLevel decoder: each token's symbols back to bytes (a token with a character outside the byte
 * alphabet, such as an added token with a space, contributes its own UTF-8), and the bytes decoded as UTF-8 with
 * U+FFFD for invalid sequences.
 */
export function decodeIds(tok: ParsedTokenizer, ids: readonly number[], skipSpecialTokens: boolean): string {
  const special = new Set(tok.added.filter((t) => t.special).map((t) => t.id));
  const bytes: number[] = [];
  for (const id of ids) {
    const token = tok.idToToken.get(id);
    if (token === undefined || (skipSpecialTokens && special.has(id))) continue;
    const own: number[] = [];
    let allMapped = true;
    for (const ch of token) {
      const b = CHAR_TO_BYTE.get(ch);
      if (b === undefined) {
        allMapped = false;
        break;
      }
      own.push(b);
    }
    if (allMapped) bytes.push(...own);
    else bytes.push(...utf8Bytes(token));
  }
  return utf8Decode(Uint8Array.from(bytes));
}
