/**
 * Python langdetect 1.0.9 (`detector.py`, `utils/ngram.py`), ported so that `detect(text)` with
 * `DetectorFactory.seed = 0` returns what the reference returns:
 *
 * 1. Clean: URLs and e-mail addresses become spaces, Vietnamese letter + combining mark pairs are
 *    composed, runs of spaces collapse, the text is cut at 10,000 characters; if fewer than half
 *    as many Latin letters as non-Latin characters, Latin letters are dropped.
 * 2. Extract every 1-, 2- and 3-gram (after per-character normalisation) known to some profile,
 *    skipping grams inside words of two or more capitals.
 * 3. Seven trials, each from uniform priors and alpha = 0.5 + N(0,1)·0.05: draw grams at random
 *    (seeded MT19937), multiply each language's probability by alpha/10000 + P(gram | language),
 *    normalise every 5 draws, stop when a language exceeds 0.99999 or after 1,000 draws.
 * 4. Average the trials; the answer is the most probable language above 0.1, else "unknown".
 *
 * No grams at all raises LangDetectException in the reference: here `detect` returns null.
 */
import { CJK_CLASSES, DMARK_CLASS, LATIN1_EXCLUDED, NORMALIZED_VI_CHARS, TO_NORMALIZE_VI_CHARS } from "./messages.js";
import { PROFILES } from "./profiles.js";
import { PyRandom } from "./pyrandom.js";
import { pyCharIsUpper } from "../pystr.js";

const ALPHA_DEFAULT = 0.5;
const ALPHA_WIDTH = 0.05;
const ITERATION_LIMIT = 1000;
const PROB_THRESHOLD = 0.1;
const CONV_THRESHOLD = 0.99999;
const BASE_FREQ = 10000;
const N_TRIAL = 7;
const MAX_TEXT_LENGTH = 10000;
/** `DetectorFactory.seed = 0`, as the reference verdicts were computed. */
const SEED = 0;

const URL_RE = /https?:\/\/[-_.?&~;+=/#0-9A-Za-z]{1,2076}/g;
const MAIL_RE = /[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}/g;
const VI_RE = new RegExp(`([${TO_NORMALIZE_VI_CHARS}])([${DMARK_CLASS}])`, "gu");

/** One gram's non-zero P(gram | language), languages in ascending index order. */
interface Row {
  langIndex: Uint8Array;
  prob: Float64Array;
}

interface Model {
  langs: string[];
  rows: Map<string, Row>;
}

let model: Model | null = null;

/** Parse the profiles once, on first use (DetectorFactory.add_profile): about 88,000 grams. */
function loadModel(): Model {
  if (model) return model;
  const lines = PROFILES.split("\n");
  const langs: string[] = [];
  const entries = new Map<string, [number, number][]>();
  lines.forEach((line, index) => {
    const fields = line.split("\t");
    langs.push(fields[0]!);
    const nWords = fields[1]!.split(",").map(Number);
    for (let i = 2; i + 1 < fields.length; i += 2) {
      const gram = fields[i]!;
      const len = [...gram].length;
      let list = entries.get(gram);
      if (!list) entries.set(gram, (list = []));
      if (len >= 1 && len <= 3) list.push([index, Number(fields[i + 1]) / nWords[len - 1]!]);
    }
  });
  const rows = new Map<string, Row>();
  for (const [gram, list] of entries) {
    rows.set(gram, { langIndex: Uint8Array.from(list, (e) => e[0]), prob: Float64Array.from(list, (e) => e[1]) });
  }
  model = { langs, rows };
  return model;
}

let cjkMap: Map<string, string> | null = null;
function cjkRepresentative(ch: string): string {
  if (!cjkMap) {
    cjkMap = new Map();
    for (const cls of CJK_CLASSES) {
      const rep = String.fromCodePoint(cls.codePointAt(0)!);
      for (const c of cls) cjkMap.set(c, rep);
    }
  }
  return cjkMap.get(ch) ?? ch;
}

/** NGram.normalize: one character to its detection class. */
function normalizeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x7f) return (ch < "A" || (ch > "Z" && ch < "a") || ch > "z") ? " " : ch;
  if (cp <= 0xff) return LATIN1_EXCLUDED.includes(ch) ? " " : ch;
  if (cp >= 0x180 && cp <= 0x24f) return cp === 0x219 ? "\u015f" : cp === 0x21b ? "\u0163" : ch;
  if (cp >= 0x2000 && cp <= 0x206f) return " ";
  if (cp >= 0x600 && cp <= 0x6ff) return cp === 0x6cc ? "\u064a" : ch;
  if (cp >= 0x1e00 && cp <= 0x1eff) return cp >= 0x1ea0 ? "\u1ec3" : ch;
  if (cp >= 0x3040 && cp <= 0x309f) return "\u3042";
  if (cp >= 0x30a0 && cp <= 0x30ff) return "\u30a2";
  if ((cp >= 0x3100 && cp <= 0x312f) || (cp >= 0x31a0 && cp <= 0x31bf)) return "\u3105";
  if (cp >= 0x4e00 && cp <= 0x9fff) return cjkRepresentative(ch);
  if (cp >= 0xac00 && cp <= 0xd7af) return "\uac00";
  return ch;
}

/** Detector.append + cleaning_text: the characters (code points) detection looks at. */
function prepareText(text: string): string[] {
  text = text.replace(URL_RE, " ").replace(MAIL_RE, " ");
  text = text.replace(VI_RE, (_, letter: string, mark: string) =>
    [...NORMALIZED_VI_CHARS[DMARK_CLASS.indexOf(mark)]!][[...TO_NORMALIZE_VI_CHARS].indexOf(letter)]!);
  const chars: string[] = [];
  let pre = "";
  let i = 0;
  for (const ch of text) {
    if (i++ >= MAX_TEXT_LENGTH) break;
    if (ch !== " " || pre !== " ") chars.push(ch);
    pre = ch;
  }
  let latin = 0;
  let nonLatin = 0;
  for (const ch of chars) {
    if (ch >= "A" && ch <= "z") latin++;
    else if (ch >= "\u0300" && !(ch >= "\u1e00" && ch <= "\u1eff")) nonLatin++;
  }
  return latin * 2 < nonLatin ? chars.filter((ch) => ch < "A" || ch > "z") : chars;
}

/** Detector._extract_ngrams. */
function extractNgrams(chars: string[], rows: Map<string, Row>): string[] {
  const out: string[] = [];
  let grams: string[] = [" "];
  let capitalWord = false;
  for (const raw of chars) {
    const ch = normalizeChar(raw);
    const last = grams[grams.length - 1]!;
    if (last === " ") {
      grams = [" "];
      capitalWord = false;
      if (ch === " ") continue;
    } else if (grams.length >= 3) {
      grams = grams.slice(1);
    }
    grams.push(ch);
    if (pyCharIsUpper(ch)) {
      if (pyCharIsUpper(last)) capitalWord = true;
    } else {
      capitalWord = false;
    }
    if (capitalWord) continue;
    for (let n = 1; n <= 3 && n <= grams.length; n++) {
      const w = grams.slice(grams.length - n).join("");
      if (w !== " " && rows.has(w)) out.push(w);
    }
  }
  return out;
}

/** Detector._update_lang_prob: prob[j] *= weight + P(gram | j), with P = 0 off the row. */
function updateProbabilities(prob: Float64Array, row: Row, weight: number): void {
  let k = 0;
  for (let j = 0; j < prob.length; j++) {
    if (k < row.langIndex.length && row.langIndex[k] === j) {
      prob[j] = prob[j]! * (weight + row.prob[k]!);
      k++;
    } else {
      prob[j] = prob[j]! * weight;
    }
  }
}

/** Detector._normalize_prob: rescale to sum 1, return the largest. */
function normalize(prob: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < prob.length; i++) sum += prob[i]!;
  let max = 0;
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]! / sum;
    if (max < p) max = p;
    prob[i] = p;
  }
  return max;
}

/** `langdetect.detect(text)` with seed 0: a language code, "unknown", or null where the reference raises. */
export function detectLanguage(text: string): string | null {
  const { langs, rows } = loadModel();
  const ngrams = extractNgrams(prepareText(text), rows);
  if (ngrams.length === 0) return null;
  const rng = new PyRandom(SEED);
  const langprob = new Float64Array(langs.length);
  for (let t = 0; t < N_TRIAL; t++) {
    const prob = new Float64Array(langs.length).fill(1 / langs.length);
    const alpha = ALPHA_DEFAULT + rng.gauss(0, 1) * ALPHA_WIDTH;
    const weight = alpha / BASE_FREQ;
    for (let i = 0; ; i++) {
      updateProbabilities(prob, rows.get(rng.choice(ngrams))!, weight);
      if (i % 5 === 0 && (normalize(prob) > CONV_THRESHOLD || i >= ITERATION_LIMIT)) break;
    }
    for (let j = 0; j < langprob.length; j++) langprob[j] = langprob[j]! + prob[j]! / N_TRIAL;
  }
  let best = -1;
  for (let j = 0; j < langprob.length; j++) {
    if (langprob[j]! > PROB_THRESHOLD && (best < 0 || langprob[j]! > langprob[best]!)) best = j;
  }
  return best < 0 ? "unknown" : langs[best]!;
}
