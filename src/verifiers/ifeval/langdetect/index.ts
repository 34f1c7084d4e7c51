/** Language detection as Python langdetect 1.0.9 computes it (seeded), and IFEval's language codes. */
export { detectLanguage } from "./detector.js";

/** `instructions_util.LANGUAGE_CODES`: the languages `language:response_language` accepts. */
export const LANGUAGE_CODES: readonly string[] = [
  "en", "es", "pt", "ar", "hi", "fr", "ru", "de", "ja", "it", "bn", "uk", "th", "ur", "ta",
  "te", "bg", "ko", "pl", "he", "fa", "vi", "ne", "sw", "kn", "mr", "gu", "pa", "ml", "fi",
];
