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
import { DMARK_CLASS, NORMALIZED_VI_CHARS, TO_NORMALIZE_VI_CHARS } from "./messages.js";
import { type GramNode, loadModel, type Model, normalizeCodePoint, rootNode, type Row } from "./model.js";
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
const SPACE = 0x20;
const VI_RE = new RegExp(`([${TO_NORMALIZE_VI_CHARS}])([${DMARK_CLASS}])`, "gu");

/** Python `ch.isupper()` for one code point, cached for the BMP (0 = not yet computed, 1 = no, 2 = yes). */
const upperCache = new Uint8Array(0x10000);
function isUpper(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a;
  if (cp > 0xffff) return pyCharIsUpper(String.fromCodePoint(cp));
  let v = upperCache[cp]!;
  if (v === 0) upperCache[cp] = v = pyCharIsUpper(String.fromCharCode(cp)) ? 2 : 1;
  return v === 2;
}

/** Detector.append + cleaning_text: the code points detection looks at. */
function prepareText(text: string): number[] {
  // The guards skip regex scans that cannot match (the e-mail pattern is slow on long words).
  if (text.includes("http")) text = text.replace(URL_RE, " ");
  if (text.includes("@")) text = text.replace(MAIL_RE, " ");
  text = text.replace(VI_RE, (_, letter: string, mark: string) =>
    [...NORMALIZED_VI_CHARS[DMARK_CLASS.indexOf(mark)]!][[...TO_NORMALIZE_VI_CHARS].indexOf(letter)]!);
  const cps: number[] = [];
  let pre = -1;
  let count = 0;
  let latin = 0;
  let nonLatin = 0;
  for (let i = 0; i < text.length && count < MAX_TEXT_LENGTH; i++, count++) {
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (cp !== 0x20 || pre !== 0x20) {
      cps.push(cp);
      if (cp >= 0x41 && cp <= 0x7a) latin++;
      else if (cp >= 0x300 && !(cp >= 0x1e00 && cp <= 0x1eff)) nonLatin++;
    }
    pre = cp;
  }
  return latin * 2 < nonLatin ? cps.filter((cp) => cp < 0x41 || cp > 0x7a) : cps;
}

/**
 * Detector._extract_ngrams: the rows of every known 1-, 2-, 3-gram, in text order. The gram
 * buffer holds at most 3 code points (the newest last) and starts as " "; instead of the strings,
 * we carry the trie nodes of its 1-, 2- and 3-code-point suffixes.
 */
function extractNgrams(cps: number[], m: Model): Row[] {
  const out: Row[] = [];
  let last = SPACE;
  let len = 1;
  const spaceNode = rootNode(m, SPACE);
  let node1: GramNode | undefined = spaceNode;
  let node2: GramNode | undefined;
  let capitalWord = false;
  let lastUpper = false;
  for (const raw of cps) {
    const ch = normalizeCodePoint(raw);
    if (last === SPACE) {
      len = 1;
      capitalWord = false;
      node1 = spaceNode;
      node2 = undefined;
      if (ch === SPACE) continue;
    } else if (len >= 3) {
      len = 2;
    }
    len++;
    // Suffix nodes after appending ch: 3-gram extends the old 2-gram suffix, 2-gram the old 1-gram.
    const n3 = len >= 3 ? node2?.next?.get(ch) : undefined;
    const n2 = node1?.next?.get(ch);
    const n1 = rootNode(m, ch);
    const upper = isUpper(ch);
    if (upper) {
      if (lastUpper) capitalWord = true;
    } else {
      capitalWord = false;
    }
    last = ch;
    lastUpper = upper;
    node1 = n1;
    node2 = n2;
    if (capitalWord) continue;
    if (ch !== SPACE && n1?.row) out.push(n1.row);
    if (n2?.row) out.push(n2.row);
    if (n3?.row) out.push(n3.row);
  }
  return out;
}

/** One generator, re-seeded per detection exactly as Detector._detect_block does. */
const rng = new PyRandom(SEED);

/** Scratch for updateProbabilities (a row has at most 55 entries). */
const listed = new Float64Array(64);

/**
 * Detector._update_lang_prob: prob[j] *= weight + P(gram | j), with P = 0 off the row. The
 * products for the row's languages are taken first from the old values, then every language is
 * scaled by weight and those few overwritten: the same arithmetic, without a branch per language.
 */
function updateProbabilities(prob: Float64Array, row: Row, weight: number): void {
  const idx = row.langIndex;
  const p = row.prob;
  for (let k = 0; k < idx.length; k++) listed[k] = prob[idx[k]!]! * (weight + p[k]!);
  for (let j = 0; j < prob.length; j++) prob[j] = prob[j]! * weight;
  for (let k = 0; k < idx.length; k++) prob[idx[k]!] = listed[k]!;
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
  const m = loadModel();
  const langs = m.langs;
  const ngrams = extractNgrams(prepareText(text), m);
  if (ngrams.length === 0) return null;
  rng.seed(SEED);
  const langprob = new Float64Array(langs.length);
  const prob = new Float64Array(langs.length);
  for (let t = 0; t < N_TRIAL; t++) {
    prob.fill(1 / langs.length);
    const alpha = ALPHA_DEFAULT + rng.gauss(0, 1) * ALPHA_WIDTH;
    const weight = alpha / BASE_FREQ;
    for (let i = 0; ; i++) {
      updateProbabilities(prob, rng.choice(ngrams), weight);
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
