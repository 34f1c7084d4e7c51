/**
 * Byte-level BPE tokenizer in HF's tokenizer.json format, the Tülu / OLMo-2-Instruct chat template and assistant masks.
 *
 * Behaviour worth knowing (each has a test):
 * - Encoding follows HF's Rust `tokenizers` (checked against its ids in golden.test.ts and a 22k-string differential
 *   run): Oniguruma regex semantics (`\s` with U+0085 and without U+FEFF; `(?i:)` with Unicode folding), dropped
 *   missing byte symbols, merge order by (rank, position). The JS port `@huggingface/tokenizers` is not used: it differs
 *   on GPT-2's layout (U+FEFF/U+0085 around spaces), on `(?i:)` folding (`'ſx`), and it throws on decode([]).
 * - Known divergence: `\p{L}`/`\p{N}` come from Node's ICU (Unicode 17 on Node 20.20) and HF's from Oniguruma's tables
 *   (Unicode 16 in tokenizers 0.23), so letters new in Unicode 17 (e.g. U+10940 Sidetic) pre-tokenize differently.
 * - Round trips are exact for every string of Unicode scalar values. Lone UTF-16 surrogates are not scalar values
 *   (Rust strings cannot hold them): they encode as U+FFFD.
 * - Added tokens written in the text (`<|endoftext|>` in user content) become their single ids, as HF does with its
 *   default `split_special_tokens=False`; the rendered chat template relies on that for its markers.
 * - encodeChat's mask is 1 on the tokens wholly inside an assistant turn's span (content + EOS); a token that crosses
 *   the span start (content beginning with a newline merges with the template's `\n`) stays 0.
 * - tokenizer_config.json says `PreTrainedTokenizerFast` (not OLMo 2's `GPT2Tokenizer`): transformers 5 would rebuild a
 *   GPT2Tokenizer's pre-tokenizer with GPT-2's regex and change the ids of a folder without an olmo2 config.json.
 */
export { Tokenizer } from "./tokenizer.js";
export type { ChatMessage } from "./chat.js";
export { TULU_TEMPLATE, OLMO2_CHAT_TEMPLATE } from "./chat.js";
export { trainTokenizer, SPECIAL_TOKENS, type TrainOptions } from "./train.js";
export { TokenizerError } from "./errors.js";
export type { EncodedSpans } from "./encode.js";
export { trainingTexts, idTextRows } from "./corpus.js";
