/**
 * One response text and what the checks derive from it (lower-cased copies, Punkt sentence count,
 * word tokens, detected language, ...), each computed on first use and then kept: in one
 * verification several instructions, and the loose-mode variants of the response, read the same
 * views, and the variants share most of their sentence-end contexts too (`Views.punkt`).
 *
 * The cache lives for one verifyIfeval call only, so memory stays bounded by one response.
 */
import { detectLanguage } from "./langdetect/index.js";
import { countSentences, countWords, wordTokenize } from "./nltk.js";
import type { PunktMemo } from "./punkt.js";
import { pyIsBlank, pyIsLower, pyIsUpper, pySimpleLower, pyStrip } from "./pystr.js";

export class ResponseView {
  #simpleLower: string | undefined;
  #lower: string | undefined;
  #stripped: string | undefined;
  #blank: boolean | undefined;
  #sentences: number | undefined;
  #words: number | undefined;
  #capitalWords: number | undefined;
  #language: string | null | undefined;
  #upper: boolean | undefined;
  #lowerCase: boolean | undefined;

  constructor(
    readonly text: string,
    private readonly punkt: PunktMemo,
  ) {}

  /** `pySimpleLower(text)`: what IGNORECASE regexes are matched against. */
  get simpleLower(): string {
    return (this.#simpleLower ??= pySimpleLower(this.text));
  }
  /** `text.lower()`. */
  get lower(): string {
    return (this.#lower ??= this.text.toLowerCase());
  }
  /** `text.strip()`. */
  get stripped(): string {
    return (this.#stripped ??= pyStrip(this.text));
  }
  /** `not text.strip()`. */
  get blank(): boolean {
    return (this.#blank ??= pyIsBlank(this.text));
  }
  /** `instructions_util.count_sentences(text)`. */
  get sentenceCount(): number {
    return (this.#sentences ??= countSentences(this.text, this.punkt));
  }
  /** `instructions_util.count_words(text)`. */
  get wordCount(): number {
    return (this.#words ??= countWords(this.text));
  }
  /** The number of `nltk.word_tokenize(text)` tokens that are `isupper()`. */
  get capitalWordCount(): number {
    return (this.#capitalWords ??= wordTokenize(this.text, this.punkt).filter(pyIsUpper).length);
  }
  /** `text.isupper()`. */
  get isUpper(): boolean {
    return (this.#upper ??= pyIsUpper(this.text));
  }
  /** `text.islower()`. */
  get isLower(): boolean {
    return (this.#lowerCase ??= pyIsLower(this.text));
  }
  /** `langdetect.detect(text)` (seed 0), null where it raises. */
  get language(): string | null {
    if (this.#language === undefined) this.#language = detectLanguage(this.text);
    return this.#language;
  }
}

/** The views of one verification: one per distinct text, sharing one Punkt context memo. */
export class Views {
  private readonly byText = new Map<string, ResponseView>();
  private readonly punkt: PunktMemo = new Map();

  of(text: string): ResponseView {
    let view = this.byText.get(text);
    if (!view) this.byText.set(text, (view = new ResponseView(text, this.punkt)));
    return view;
  }
}
