/**
 * GPT-2's byte-level alphabet: every byte 0..255 is shown as one printable Unicode character, so BPE can work on
 * strings while covering arbitrary bytes. Printable Latin-1 bytes (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) stand for
 * themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen) are moved to U+0100 upwards in byte order.
 * Source: openai/gpt-2 `encoder.py: bytes_to_unicode`, the same table HF `tokenizers` uses (`pre_tokenizers/byte_level.rs`).
 */
function buildByteToChar(): string[] {
  const table = new Array<string>(256);
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    table[byte] = String.fromCharCode(printable ? byte : 256 + shifted++);
  }
  return table;
}

/** BYTE_TO_CHAR[b] is the one-character symbol of byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Symbol character → byte; undefined for characters outside the alphabet. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * The 256 symbols in the order HF's trainer numbers them (sorted by code point), which is also GPT-2's order:
 * `!`..`~`, `¡`..`¬`, `®`..`ÿ`, then U+0100.. for the shifted bytes.
 */
export const ALPHABET_IN_ID_ORDER: readonly string[] = [...BYTE_TO_CHAR].sort(
  (a, b) => a.charCodeAt(0) - b.charCodeAt(0),
);

const utf8 = new TextEncoder();

/**
 * UTF-8 bytes of `text`. Lone UTF-16 surrogates (not valid Unicode scalar values) become U+FFFD (EF BF BD), as
 * TextEncoder does; Rust strings cannot hold them at all, so this is the only defined choice.
 */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/**
 * Decode bytes as UTF-8, replacing each maximal invalid subsequence with U+FFFD: the WHATWG decoder's rule, which is
 * the same rule as Rust's `String::from_utf8_lossy` used by HF's ByteLevel decoder.
 */
export function utf8Decode(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
}

/** UTF-8 length of a JS string (lone surrogates count 3 bytes, as utf8Bytes encodes them). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
