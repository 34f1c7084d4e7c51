/**
 * NLTK's NLTKWordTokenizer (nltk 3.8 `nltk/tokenize/destructive.py`, the improved Penn Treebank
 * tokenizer that `word_tokenize` applies to each Punkt sentence): a fixed sequence of regex
 * substitutions that pad tokens with spaces, then a whitespace split. Python's Unicode `\w`, `\d`,
 * `\s` and `\b` are spelled out, since JavaScript's are ASCII-only.
 */
import { PY_WORD_BOUNDARY as B } from "./pyregex.js";
import { PY_SPACE, pySplitWhitespace } from "./pystr.js";

const W = "[\\p{L}\\p{N}_]";
const S = `[${PY_SPACE}]`;

/**
 * A substitution, and substrings one of which every match contains: when the text has none of
 * them the substitution cannot change it and is skipped (most rules concern characters that most
 * sentences lack). An empty list means always apply.
 */
interface Rule {
  re: RegExp;
  replacement: string;
  needs: readonly string[];
}
const rule = (source: string, replacement: string, needs: string, flags = "gu"): Rule =>
  ({ re: new RegExp(source, flags), replacement, needs: needs ? needs.split(" ") : [] });

const STARTING_QUOTES: Rule[] = [
  rule("([«“‘„]|[`]+)", " $1 ", "« “ ‘ „ `"),
  rule('^"', "``", '"'),
  rule("(``)", " $1 ", "``"),
  rule("([ ([{<])(\"|'{2})", "$1 `` ", `" ''`),
  rule(`(')(?!re|ve|ll|m|t|s|d|n)(${W})${B}`, "$1 $2", "'", "giu"),
];

const PUNCTUATION: Rule[] = [
  rule(`([^.])(\\.)([\\])}>"'»”’ ]*)${S}*$`, "$1 $2 $3 ", "."),
  rule("([:,])([^\\p{Nd}])", " $1 $2", ": ,"),
  rule("([:,])$", " $1 ", ": ,"),
  rule("\\.{2,}", " $& ", ".."),
  rule("[;@#$%&]", " $& ", "; @ # $ % &"),
  rule(`([^.])(\\.)([\\])}>"']*)${S}*$`, "$1 $2$3 ", "."),
  rule("[?!]", " $& ", "? !"),
  rule("([^'])' ", "$1 ' ", "' "),
  rule("[*]", " $& ", "*"),
];

const PARENS_BRACKETS = rule("[\\][(){}<>]", " $& ", "[ ] ( ) { } < >");
const DOUBLE_DASHES = rule("--", " -- ", "--");

const ENDING_QUOTES: Rule[] = [
  rule("([»”’])", " $1 ", "» ” ’"),
  rule("''", " '' ", "''"),
  rule('"', " '' ", '"'),
  rule("([^' ])('[sS]|'[mM]|'[dD]|') ", "$1 $2 ", "'"),
  rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", "$1 $2 ", "'"),
];

/** MacIntyre contractions (CONTRACTIONS2 and CONTRACTIONS3), case-insensitive. */
const CONTRACTIONS: Rule[] = [
  ...["(can)(not)", "(d)('ye)", "(gim)(me)", "(gon)(na)", "(got)(ta)", "(lem)(me)", "(more)('n)"].map(
    (p) => rule(`${B}${p}${B}`, " $1 $2 ", "", "giu"),
  ),
  rule(`${B}(wan)(na)(?=${S})`, " $1 $2 ", "", "giu"),
  rule(` ('t)(is)${B}`, " $1 $2 ", "", "giu"),
  rule(` ('t)(was)${B}`, " $1 $2 ", "", "giu"),
];

/** Cheap pre-test: every contraction rule needs one of these substrings (case-insensitive). */
const MAY_CONTRACT = /cannot|d'ye|gimme|gonna|gotta|lemme|more'n|wanna|'tis|'twas/i;

function apply(text: string, { re, replacement, needs }: Rule): string {
  return needs.length === 0 || needs.some((n) => text.includes(n)) ? text.replace(re, replacement) : text;
}

function applyAll(text: string, rules: Rule[]): string {
  for (const r of rules) text = apply(text, r);
  return text;
}

/** `NLTKWordTokenizer().tokenize(sentence)`. */
export function treebankTokenize(sentence: string): string[] {
  let text = applyAll(sentence, STARTING_QUOTES);
  text = applyAll(text, PUNCTUATION);
  text = apply(text, PARENS_BRACKETS);
  text = apply(text, DOUBLE_DASHES);
  text = applyAll(" " + text + " ", ENDING_QUOTES);
  if (MAY_CONTRACT.test(text)) text = applyAll(text, CONTRACTIONS);
  return pySplitWhitespace(text);
}
