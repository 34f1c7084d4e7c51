/**
 * The langdetect model (DetectorFactory.add_profile over the 55 profiles) in a form fast to look
 * up from code points: unigram rows keyed by code point, bigrams by (cp1, cp2), trigrams by
 * (bigram id, cp3); and NGram.normalize as a code point -> code point function.
 */
import { CJK_CLASSES, LATIN1_EXCLUDED } from "./messages.js";
import { PROFILES } from "./profiles.js";

/** One gram's non-zero P(gram | language), languages in ascending index order. */
export interface Row {
  langIndex: Uint8Array;
  prob: Float64Array;
}

/** A trie node: the gram spelled by the path from the root, and its extensions by one code point. */
export interface GramNode {
  row: Row | undefined;
  next: Map<number, GramNode> | undefined;
}

export interface Model {
  langs: string[];
  /** Children are the first code points of grams; keys are small integers (fast Map keys). */
  root: Map<number, GramNode>;
  /** The same first-level nodes indexed by BMP code point, for the hot extraction loop. */
  bmp: (GramNode | undefined)[];
}

/** The trie node for one code point at the root. */
export function rootNode(m: Model, cp: number): GramNode | undefined {
  return cp < 0x10000 ? m.bmp[cp] : m.root.get(cp);
}

let model: Model | null = null;

function child(map: Map<number, GramNode>, cp: number): GramNode {
  let node = map.get(cp);
  if (!node) map.set(cp, (node = { row: undefined, next: undefined }));
  return node;
}

/** Parse the profiles once, on first use (about 88,000 grams; DetectorFactory.add_profile). */
export function loadModel(): Model {
  if (model) return model;
  const lines = PROFILES.split("\n");
  const langs = lines[0]!.split("\t");
  const nWords = lines[1]!.split("\t").map((t) => t.split(",").map(Number));
  const root = new Map<number, GramNode>();
  for (let l = 2; l < lines.length; l++) {
    const fields = lines[l]!.split("\t");
    const cps = Array.from(fields[0]!, (c) => c.codePointAt(0)!);
    let node = child(root, cps[0]!);
    for (let i = 1; i < cps.length; i++) node = child((node.next ??= new Map()), cps[i]!);
    const k = (fields.length - 1) / 2;
    const row: Row = { langIndex: new Uint8Array(k), prob: new Float64Array(k) };
    for (let e = 0; e < k; e++) {
      const lang = Number(fields[1 + 2 * e]);
      row.langIndex[e] = lang;
      row.prob[e] = Number(fields[2 + 2 * e]) / nWords[lang]![cps.length - 1]!;
    }
    node.row = row;
  }
  const bmp: (GramNode | undefined)[] = new Array(0x10000).fill(undefined);
  for (const [cp, node] of root) if (cp < 0x10000) bmp[cp] = node;
  model = { langs, root, bmp };
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

const SPACE = 0x20;
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
