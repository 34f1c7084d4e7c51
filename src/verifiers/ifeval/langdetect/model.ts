/**
 * The langdetect model (DetectorFactory.add_profile over the 55 profiles) in flat typed arrays, so
 * that gram extraction and probability updates allocate nothing:
 *
 * - every gram (and every prefix of one) is a node id; 1-grams are found by code point, longer
 *   grams by (node of the gram without its last code point, last code point) in an
 *   open-addressing hash table;
 * - node n's row, P(gram | language) for the languages whose profile has the gram, is entries
 *   rowStart[n] .. rowStart[n + 1] of rowLang / rowProb (empty for a prefix no profile has);
 * - NGram.normalize and `str.isupper()` of the normalised character are tabulated for the BMP.
 */
import { CJK_CLASSES, LATIN1_EXCLUDED } from "./messages.js";
import { PROFILES } from "./profiles.js";
import { pyCharIsUpper } from "../pystr.js";

export interface Model {
  langs: readonly string[];
  /** 1-gram node of each BMP code point, -1 for none (the profiles hold no astral code point). */
  bmpNode: Int32Array;
  /** Hash table over (parent node, code point): slot keys and child node, -1 in childNode = empty. */
  childParent: Int32Array;
  childCp: Int32Array;
  childNode: Int32Array;
  childMask: number;
  rowStart: Int32Array;
  rowLang: Uint8Array;
  rowProb: Float64Array;
  /** NGram.normalize(ch) of each BMP code point. */
  normalized: Uint16Array;
  /** `ch.isupper()` of each BMP code point, 1 or 0. */
  upper: Uint8Array;
}

const SPACE = 0x20;

const slotOf = (parent: number, cp: number, mask: number) => (Math.imul(parent, 0x9e3779b1) ^ Math.imul(cp, 0x85ebca77)) & mask;

/** The node for gram `parent` + `cp`, or -1. */
export function childNode(m: Model, parent: number, cp: number): number {
  const mask = m.childMask;
  for (let s = slotOf(parent, cp, mask); ; s = (s + 1) & mask) {
    const node = m.childNode[s]!;
    if (node < 0 || (m.childParent[s] === parent && m.childCp[s] === cp)) return node;
  }
}

/** The 1-gram node of a code point, or -1. */
export function rootNode(m: Model, cp: number): number {
  return cp < 0x10000 ? m.bmpNode[cp]! : -1;
}

let model: Model | null = null;

/** Parse the profiles once, on first use (87,598 grams; DetectorFactory.add_profile). */
export function loadModel(): Model {
  if (model) return model;
  const lines = PROFILES.split("\n");
  const langs = lines[0]!.split("\t");
  const nWords = lines[1]!.split("\t").map((t) => t.split(",").map(Number));
  const bmpNode = new Int32Array(0x10000).fill(-1);
  // Build-time child index keyed by parent * 0x110000 + cp; nodes are numbered as created.
  const children = new Map<number, number>();
  const nodeRowLines: number[] = [];
  let nodes = 0;
  const child = (parent: number, cp: number): number => {
    if (parent < 0) {
      if (cp > 0xffff) throw new Error(`langdetect profiles: astral code point U+${cp.toString(16)} in a gram`);
      if (bmpNode[cp]! < 0) bmpNode[cp] = nodes++;
      return bmpNode[cp]!;
    }
    const key = parent * 0x110000 + cp;
    let node = children.get(key);
    if (node === undefined) children.set(key, (node = nodes++));
    return node;
  };
  for (let l = 2; l < lines.length; l++) {
    const line = lines[l]!;
    let node = -1;
    for (const ch of line.slice(0, line.indexOf("\t"))) node = child(node, ch.codePointAt(0)!);
    nodeRowLines[node] = l;
  }
  const rowStart = new Int32Array(nodes + 1);
  let entries = 0;
  for (let n = 0; n < nodes; n++) {
    rowStart[n] = entries;
    const l = nodeRowLines[n];
    if (l !== undefined) entries += (lines[l]!.split("\t").length - 1) / 2;
  }
  rowStart[nodes] = entries;
  const rowLang = new Uint8Array(entries);
  const rowProb = new Float64Array(entries);
  for (let n = 0; n < nodes; n++) {
    const l = nodeRowLines[n];
    if (l === undefined) continue;
    const fields = lines[l]!.split("\t");
    const length = [...fields[0]!].length;
    for (let e = 0, at = rowStart[n]!; 1 + 2 * e < fields.length; e++, at++) {
      const lang = Number(fields[1 + 2 * e]);
      rowLang[at] = lang;
      rowProb[at] = Number(fields[2 + 2 * e]) / nWords[lang]![length - 1]!;
    }
  }
  let size = 1;
  while (size < children.size * 2) size *= 2;
  const m: Model = {
    langs, bmpNode, rowStart, rowLang, rowProb,
    childParent: new Int32Array(size), childCp: new Int32Array(size), childNode: new Int32Array(size).fill(-1), childMask: size - 1,
    normalized: new Uint16Array(0x10000), upper: new Uint8Array(0x10000),
  };
  for (const [key, node] of children) {
    const parent = Math.floor(key / 0x110000);
    const cp = key % 0x110000;
    let s = slotOf(parent, cp, m.childMask);
    while (m.childNode[s]! >= 0) s = (s + 1) & m.childMask;
    m.childParent[s] = parent;
    m.childCp[s] = cp;
    m.childNode[s] = node;
  }
  for (let cp = 0; cp < 0x10000; cp++) {
    m.normalized[cp] = normalizeCodePoint(cp);
    // Lone surrogates are never upper case; String.fromCharCode keeps them as one unit.
    m.upper[cp] = pyCharIsUpper(String.fromCharCode(cp)) ? 1 : 0;
  }
  model = m;
  return m;
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
export function normalizeCodePoint(cp: number): number {
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
