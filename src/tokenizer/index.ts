/** Byte-level BPE tokenizer (HF tokenizer.json), the Tülu / OLMo-2-Instruct chat template and assistant masks. */
export { Tokenizer } from "./tokenizer.js";
export type { ChatMessage } from "./chat.js";
export { TULU_TEMPLATE, OLMO2_CHAT_TEMPLATE } from "./chat.js";
export { trainTokenizer, SPECIAL_TOKENS, type TrainOptions } from "./train.js";
export { TokenizerError } from "./errors.js";
export type { EncodedSpans } from "./encode.js";
export { trainingTexts, idTextRows } from "./corpus.js";
