/**
 * The NLTK pieces IFEval's `instructions_util` uses: word counts with
 * `RegexpTokenizer(r"\w+")`, sentence counts with the English Punkt model, and
 * `nltk.word_tokenize` (Punkt sentences, then the NLTKWordTokenizer) for capital words.
 */
import { type PunktMemo, sentenceSpans, sentTokenize } from "./punkt.js";
import { treebankTokenize } from "./treebank.js";

/** Python's Unicode `\w+`: letters, numbers and `_` (combining marks split words, as in Python). */
const WORD = /[\p{L}\p{N}_]+/gu;

/** `instructions_util.count_words`: the number of `\w+` runs. */
export function countWords(text: string): number {
  WORD.lastIndex = 0;
  let n = 0;
  while (WORD.exec(text)) n++;
  return n;
}

/** `instructions_util.count_sentences`: Punkt English sentences (`memo`: see sentenceSpans). */
export function countSentences(text: string, memo?: PunktMemo): number {
  return sentenceSpans(text, memo).length;
}

/** `nltk.word_tokenize(text)` (`memo`: see sentenceSpans). */
export function wordTokenize(text: string, memo?: PunktMemo): string[] {
  return sentTokenize(text, memo).flatMap(treebankTokenize);
}
