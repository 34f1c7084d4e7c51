/**
 * The NLTK pieces IFEval's `instructions_util` uses: word counts with
 * `RegexpTokenizer(r"\w+")`, sentence counts with the English Punkt model, and
 * `nltk.word_tokenize` (Punkt sentences, then the NLTKWordTokenizer) for capital words.
 */
import { type PunktMemo, sentenceSpans, sentTokenize } from "./punkt.js";
import { treebankTokenize } from "./treebank.js";
import { isPyWordCodePoint } from "./pystr.js";

/**
 * `instructions_util.count_words`: the number of `\w+` runs, Python's Unicode `\w` being letters,
 * numbers and `_` (combining marks split words, as in Python).
 */
export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    // A surrogate pair is one code point (Python iterates code points); a lone surrogate stays itself.
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    const word = isPyWordCodePoint(cp);
    if (word && !inWord) n++;
    inWord = word;
  }
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
