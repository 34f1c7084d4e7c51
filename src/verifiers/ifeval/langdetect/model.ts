/**
 * The langdetect model (DetectorFactory.add_profile over the 55 profiles) in flat typed arrays, so
 * that gram extraction and probability updates allocate nothing:
 *
 * - each code point of the profiles (after NGram.normalize) has a char id; `charInfo` maps a raw
 *   BMP code point to the id of its normalised form and whether that is upper case;
 * - every gram, and every prefix of one, is a node; longer grams are found by (node of the gram
 *   without its last character, char id of that character) in an open-addressing hash table;
 * - a node is the offset of its row in `rows`: the number of languages whose profile has the
 *   gram, then (language index, P(gram | language)) for each, so one draw reads one place; a
 *   gram of DENSE_MIN languages or more (common letters and pairs, which are drawn most) also has
 *   all 55 P(gram | language), zeros included, in `dense`, and its row starts with -(start + 1)
 *   of those instead of the count, so it is applied by one pass with no scatter;
 * - lookups return a gram handle, node * 2 + (1 if some profile has the gram), since prefixes
 *   need not be grams themselves.
 */
import { CJK_CLASSES, LATIN1_EXCLUDED } from "./messages.js";
import { PROFILES } from "./profiles.js";
import { pyCharIsUpper } from "../pystr.js";

export interface Model {
  langs: readonly string[];
  /** For a raw BMP code point: (char id of its normalised form + 1) * 2 + (1 if that is upper case); id + 1 = 0: in no gram. */
  charInfo: Int32Array;
  /** Char id of " " (what NGram.normalize makes of every non-letter). */
  spaceId: number;
  /** Gram handle of the 1-gram of each char id. */
  unigram: Int32Array;
  /** Hash table of (parent node * CHAR_LIMIT + char id) -> child gram handle, as key/handle pairs; key -1 = empty slot. */
  children: Int32Array;
  childShift: number;
  /** The rows, one per node (see above). */
  rows: Float64Array;
  /** Dense rows, langs.length values each. */
  dense: Float64Array;
}

/** Bound on char ids (the profiles hold 3,160 distinct characters), so a child key fits in 31 bits. */
const CHAR_LIMIT = 4096;
/**
 * Rows with this many languages or more also get a dense copy (1,479 of the 87,598 grams: 0.65 MB).
 * Below it the sparse update (scale all, patch the row's few) was measured faster.
 */
const DENSE_MIN = 20;
const SPACE = 0x20;

const slotOf = (key: number, shift: number) => Math.imul(key, 0x9e3779b1) >>> shift;

/** The handle of the gram `parent node` + `char id`, or -1. */
export function childHandle(m: Model, parent: number, charId: number): number {
  const key = parent * CHAR_LIMIT + charId;
  const table = m.children;
  const mask = (table.length >> 1) - 1;
  for (let s = slotOf(key, m.childShift); ; s = (s + 1) & mask) {
    const k = table[2 * s]!;
    if (k === key) return table[2 * s + 1]!;
    if (k < 0) return -1;
  }
}

let model: Model | null = null;

/** Parse the profiles once, on first use (87,598 grams; DetectorFactory.add_profile). */
export function loadModel(): Model {
  if (model) return model;
  const lines = PROFILES.split("\n");
  const langs = lines[0]!.split("\t");
  const nWords = lines[1]!.split("\t").map((t) => t.split(",").map(Number));
  const grams = lines.slice(2).map((line) => Array.from(line.slice(0, line.indexOf("\t")), (c) => c.codePointAt(0)!));
  // Char ids and nodes numbered as met (char id c's 1-gram is node c); rows placed afterwards.
  const charIds = new Map<number, number>();
  for (const gram of grams) for (const cp of gram) if (!charIds.has(cp)) charIds.set(cp, charIds.size);
  if (charIds.size > CHAR_LIMIT) throw new Error(`langdetect profiles: ${charIds.size} distinct characters, more than ${CHAR_LIMIT}`);
  const childIndex = new Map<number, number>();
  let nodes = charIds.size;
  const gramNode = grams.map((gram) => {
    let node = charIds.get(gram[0]!)!;
    for (let i = 1; i < gram.length; i++) {
      const key = node * CHAR_LIMIT + charIds.get(gram[i]!)!;
      let next = childIndex.get(key);
      if (next === undefined) childIndex.set(key, (next = nodes++));
      node = next;
    }
    return node;
  });
  const lineOfNode = new Int32Array(nodes).fill(-1);
  gramNode.forEach((node, g) => (lineOfNode[node] = g + 2));
  const fieldsOf = (node: number) => (lineOfNode[node]! < 0 ? [] : lines[lineOfNode[node]!]!.split("\t"));
  // A row takes as many slots as its line has tab-separated fields (the count, then a language and
  // a P per entry); a node that is only a prefix takes one slot, a count of 0.
  const offset = new Int32Array(nodes + 1);
  for (let n = 0; n < nodes; n++) {
    const l = lineOfNode[n]!;
    let fields = 1;
    if (l >= 0) for (let at = lines[l]!.indexOf("\t"); at >= 0; at = lines[l]!.indexOf("\t", at + 1)) fields++;
    offset[n + 1] = offset[n]! + fields;
  }
  if (offset[nodes]! * CHAR_LIMIT > 0x7fffffff) throw new Error("langdetect profiles: too large for 31-bit child keys");
  const rows = new Float64Array(offset[nodes]!);
  const denseRows: Float64Array[] = [];
  for (let n = 0; n < nodes; n++) {
    const fields = fieldsOf(n);
    if (fields.length === 0) continue;
    const at = offset[n]!;
    const length = grams[lineOfNode[n]! - 2]!.length;
    const count = (fields.length - 1) / 2;
    const all = count >= DENSE_MIN ? new Float64Array(langs.length) : null;
    rows[at] = all ? -(denseRows.length * langs.length + 1) : count;
    for (let e = 0; e < count; e++) {
      const lang = Number(fields[1 + 2 * e]);
      rows[at + 1 + 2 * e] = lang;
      rows[at + 2 + 2 * e] = Number(fields[2 + 2 * e]) / nWords[lang]![length - 1]!;
      if (all) all[lang] = rows[at + 2 + 2 * e]!;
    }
    if (all) denseRows.push(all);
  }
  const dense = new Float64Array(denseRows.length * langs.length);
  denseRows.forEach((all, i) => dense.set(all, i * langs.length));
  const handle = (node: number) => offset[node]! * 2 + (lineOfNode[node]! >= 0 ? 1 : 0);
  let bits = 1;
  while (1 << bits < childIndex.size * 3) bits++;
  const children = new Int32Array(2 << bits).fill(-1);
  const mask = (1 << bits) - 1;
  for (const [buildKey, node] of childIndex) {
    const key = offset[Math.floor(buildKey / CHAR_LIMIT)]! * CHAR_LIMIT + (buildKey % CHAR_LIMIT);
    let s = slotOf(key, 32 - bits);
    while (children[2 * s]! >= 0) s = (s + 1) & mask;
    children[2 * s] = key;
    children[2 * s + 1] = handle(node);
  }
  const charInfo = new Int32Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) {
    const ch = normalizeCodePoint(cp);
    const id = charIds.get(ch) ?? -1;
    // Lone surrogates are never upper case; String.fromCharCode keeps them as one unit.
    charInfo[cp] = (id + 1) * 2 + (pyCharIsUpper(String.fromCharCode(ch)) ? 1 : 0);
  }
  const spaceId = charIds.get(SPACE);
  if (spaceId === undefined) throw new Error("langdetect profiles: no gram holds a space");
  const unigram = new Int32Array(charIds.size).map((_, id) => handle(id));
  model = { langs, charInfo, spaceId, unigram, children, childShift: 32 - bits, rows, dense };
  return model;
}

let cjkMap: Map<number, number> | null = null;
function cjkRepresentative(cp: number): number {
  if (!cjkMap) {
    cjkMap = new Map();
    for (const cls of CJK_CLASSES) {
      const rep = cls.codePointAt(0)!;
      for (const c of cls) cjkMap.set(c.codePointAt(0)!, rep);
    }
  }
  return cjkMap.get(cp) ?? cp;
}

const LATIN1_EXCLUDED_CPS = new Set([...LATIN1_EXCLUDED].map((c) => c.codePointAt(0)!));

/** NGram.normalize: one code point to its detection class (by Unicode block). */
function normalizeCodePoint(cp: number): number {
  if (cp <= 0x7f) return (cp < 0x41 || (cp > 0x5a && cp < 0x61) || cp > 0x7a) ? SPACE : cp;
  if (cp <= 0xff) return LATIN1_EXCLUDED_CPS.has(cp) ? SPACE : cp;
  if (cp >= 0x180 && cp <= 0x24f) return cp === 0x219 ? 0x15f : cp === 0x21b ? 0x163 : cp;
  if (cp >= 0x2000 && cp <= 0x206f) return SPACE;
  if (cp >= 0x600 && cp <= 0x6ff) return cp === 0x6cc ? 0x64a : cp;
  if (cp >= 0x1e00 && cp <= 0x1eff) return cp >= 0x1ea0 ? 0x1ec3 : cp;
  if (cp >= 0x3040 && cp <= 0x309f) return 0x3042;
  if (cp >= 0x30a0 && cp <= 0x30ff) return 0x30a2;
  if ((cp >= 0x3100 && cp <= 0x312f) || (cp >= 0x31a0 && cp <= 0x31bf)) return 0x3105;
  if (cp >= 0x4e00 && cp <= 0x9fff) return cjkRepresentative(cp);
  if (cp >= 0xac00 && cp <= 0xd7af) return 0xac00;
  return cp;
}
