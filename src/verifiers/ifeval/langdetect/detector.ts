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
 *    Trials stop early once the remaining ones cannot change that answer (see `decided`); the
 *    averages then differ from the reference's, the answer does not.
 *
 * No grams at all raises LangDetectException in the reference: here `detect` returns null.
 */
import { DMARK_CLASS, NORMALIZED_VI_CHARS, TO_NORMALIZE_VI_CHARS } from "./messages.js";
import { childHandle, loadModel, type Model } from "./model.js";
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

/** Scratch buffers reused by every detection (grown on demand): the cleaned code points and the gram nodes. */
let codePoints = new Int32Array(4096);
let grams = new Int32Array(8192);

/** Detector.append + cleaning_text: fills `codePoints` with the code points detection looks at; returns their count. */
function prepareText(text: string): number {
  // The guards skip regex scans that cannot match (the e-mail pattern is slow on long words).
  if (text.includes("http")) text = text.replace(URL_RE, " ");
  if (text.includes("@")) text = text.replace(MAIL_RE, " ");
  text = text.replace(VI_RE, (_, letter: string, mark: string) =>
    [...NORMALIZED_VI_CHARS[DMARK_CLASS.indexOf(mark)]!][[...TO_NORMALIZE_VI_CHARS].indexOf(letter)]!);
  if (codePoints.length < Math.min(text.length, MAX_TEXT_LENGTH)) codePoints = new Int32Array(Math.min(text.length, MAX_TEXT_LENGTH));
  const cps = codePoints;
  let n = 0;
  let pre = -1;
  let count = 0;
  let latin = 0;
  let nonLatin = 0;
  for (let i = 0; i < text.length && count < MAX_TEXT_LENGTH; i++, count++) {
    // A surrogate pair is one code point (Python iterates code points); a lone surrogate stays itself.
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (cp !== 0x20 || pre !== 0x20) {
      cps[n++] = cp;
      if (cp >= 0x41 && cp <= 0x7a) latin++;
      else if (cp >= 0x300 && !(cp >= 0x1e00 && cp <= 0x1eff)) nonLatin++;
    }
    pre = cp;
  }
  if (latin * 2 >= nonLatin) return n;
  let kept = 0;
  for (let k = 0; k < n; k++) if (cps[k]! < 0x41 || cps[k]! > 0x7a) cps[kept++] = cps[k]!;
  return kept;
}

function pushGram(count: number, node: number): number {
  if (count === grams.length) {
    const bigger = new Int32Array(grams.length * 2);
    bigger.set(grams);
    grams = bigger;
  }
  grams[count] = node;
  return count + 1;
}

/**
 * Detector._extract_ngrams: fills `grams` with the node of every 1-, 2-, 3-gram some profile has,
 * in text order; returns their count. NGram's buffer holds at most 3 characters (the newest last)
 * and restarts as " " after a space; instead of the strings, we carry the handles of its 1- and
 * 2-character suffixes (-1: no profile has that prefix, so none has an extension of it either).
 * Right after a space the 2-character suffix is unset, which is why no 3-gram is taken there.
 */
function extractNgrams(length: number, m: Model): number {
  const { charInfo, spaceId, unigram } = m;
  const cps = codePoints;
  let count = 0;
  let lastId = spaceId;
  const spaceHandle = unigram[spaceId]!;
  let suffix1 = spaceHandle;
  let suffix2 = -1;
  let capitalWord = false;
  let lastUpper = false;
  for (let k = 0; k < length; k++) {
    const raw = cps[k]!;
    let id: number;
    let upper: boolean;
    if (raw < 0x10000) {
      const info = charInfo[raw]!;
      id = (info >> 1) - 1;
      upper = (info & 1) === 1;
    } else {
      // No profile holds an astral character, and NGram.normalize keeps them as they are.
      id = -1;
      upper = pyCharIsUpper(String.fromCodePoint(raw));
    }
    if (lastId === spaceId) {
      capitalWord = false;
      suffix1 = spaceHandle;
      suffix2 = -1;
      if (id === spaceId) continue;
    }
    const h3 = suffix2 >= 0 && id >= 0 ? childHandle(m, suffix2 >> 1, id) : -1;
    const h2 = suffix1 >= 0 && id >= 0 ? childHandle(m, suffix1 >> 1, id) : -1;
    const h1 = id >= 0 ? unigram[id]! : -1;
    if (upper) {
      if (lastUpper) capitalWord = true;
    } else {
      capitalWord = false;
    }
    lastId = id;
    lastUpper = upper;
    suffix1 = h1;
    suffix2 = h2;
    if (capitalWord) continue;
    if (id !== spaceId && h1 >= 0 && (h1 & 1) === 1) count = pushGram(count, h1 >> 1);
    if (h2 >= 0 && (h2 & 1) === 1) count = pushGram(count, h2 >> 1);
    if (h3 >= 0 && (h3 & 1) === 1) count = pushGram(count, h3 >> 1);
  }
  return count;
}

/** One generator, re-seeded per detection exactly as Detector._detect_block does. */
const rng = new PyRandom(SEED);

/** Scratch for updateProbabilities (a row has at most 55 entries). */
const listed = new Float64Array(64);

/**
 * Detector._update_lang_prob: prob[j] *= weight + P(gram | j), with P = 0 off the row (and
 * weight + 0 is exactly weight). A dense row is applied as it is; for a sparse one the products
 * for the row's languages are taken first from the old values, then every language is scaled by
 * weight and those few overwritten: the same arithmetic, without a branch per language.
 */
function updateProbabilities(prob: Float64Array, m: Model, node: number, weight: number): void {
  const rows = m.rows;
  const head = rows[node]!;
  if (head < 0) {
    const dense = m.dense;
    const start = -head - 1;
    for (let j = 0; j < prob.length; j++) prob[j] = prob[j]! * (weight + dense[start + j]!);
    return;
  }
  for (let k = 0; k < head; k++) listed[k] = prob[rows[node + 1 + 2 * k]!]! * (weight + rows[node + 2 + 2 * k]!);
  for (let j = 0; j < prob.length; j++) prob[j] = prob[j]! * weight;
  for (let k = 0; k < head; k++) prob[rows[node + 1 + 2 * k]!] = listed[k]!;
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

/**
 * True when the remaining trials cannot change the answer: each trial ends right after a
 * normalisation, so it adds at most 1/N_TRIAL (plus rounding) to the averages in all, and a leader
 * ahead of every other language by more than the remaining trials' share, and above
 * PROB_THRESHOLD already, stays the answer. The seeded draws of later trials then need not be made.
 */
function decided(langprob: Float64Array, trialsLeft: number): boolean {
  let first = 0;
  let second = 0;
  for (let j = 0; j < langprob.length; j++) {
    const p = langprob[j]!;
    if (p > first) {
      second = first;
      first = p;
    } else if (p > second) {
      second = p;
    }
  }
  return first > PROB_THRESHOLD && first - second > trialsLeft / N_TRIAL + 1e-9;
}

/** Scratch for one detection: the trial's probabilities and their average over the trials. */
let prob = new Float64Array(0);
let langprob = new Float64Array(0);

/** `langdetect.detect(text)` with seed 0: a language code, "unknown", or null where the reference raises. */
export function detectLanguage(text: string): string | null {
  const m = loadModel();
  const langs = m.langs;
  const count = extractNgrams(prepareText(text), m);
  if (count === 0) return null;
  rng.seed(SEED);
  if (prob.length !== langs.length) {
    prob = new Float64Array(langs.length);
    langprob = new Float64Array(langs.length);
  }
  langprob.fill(0);
  for (let t = 0; t < N_TRIAL; t++) {
    prob.fill(1 / langs.length);
    const alpha = ALPHA_DEFAULT + rng.gauss(0, 1) * ALPHA_WIDTH;
    const weight = alpha / BASE_FREQ;
    for (let i = 0; ; i++) {
      updateProbabilities(prob, m, grams[rng.randBelow(count)]!, weight);
      if (i % 5 === 0 && (normalize(prob) > CONV_THRESHOLD || i >= ITERATION_LIMIT)) break;
    }
    for (let j = 0; j < langprob.length; j++) langprob[j] = langprob[j]! + prob[j]! / N_TRIAL;
    if (decided(langprob, N_TRIAL - 1 - t)) break;
  }
  let best = -1;
  for (let j = 0; j < langprob.length; j++) {
    if (langprob[j]! > PROB_THRESHOLD && (best < 0 || langprob[j]! > langprob[best]!)) best = j;
  }
  return best < 0 ? "unknown" : langs[best]!;
}
