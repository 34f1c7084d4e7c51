/**
 * IFEval verifier: Google's instruction_following_eval (25 instruction ids), strict and loose, as
 * `evaluation.test_instruction_following` computes them with nltk 3.8 (Punkt English, RegexpTokenizer,
 * word_tokenize) and langdetect 1.0.9 seeded with 0; plus open-instruct's two RLVR-IF ground-truth
 * formats. Entry point for the verifier registry (src/verifiers/index.ts).
 *
 * Never throws on model output: oversized or non-string responses and a passed deadline give
 * `correct: false` with `details.reason`. Throws VerifierSpecError on a bad spec.
 */
import { DeadlineExceeded, evaluateChecks, type IfevalVerdict } from "./evaluate.js";
import { type IfevalSpec, parseSpec } from "./spec.js";
import { pyStrip } from "./pystr.js";
import { Views } from "./views.js";

export type { IfevalSpec } from "./spec.js";
export type { IfevalVerdict } from "./evaluate.js";
export { INSTRUCTION_IDS } from "./instructions.js";
export { detectLanguage, LANGUAGE_CODES } from "./langdetect/index.js";
export { countSentences, countWords, wordTokenize } from "./nltk.js";

/** Responses longer than this (UTF-16 units) are not checked: scored not followed, with a reason. */
export const MAX_RESPONSE_LENGTH = 100_000;

export interface IfevalResult {
  correct: boolean;
  details: IfevalVerdict & { loose: IfevalVerdict; instruction_id_list: string[]; reason?: string };
}

/** open-instruct `remove_thinking_section`: drop `<|assistant|>`, everything up to the last `</think>`, and `<answer>` tags. */
export function removeThinkingSection(prediction: string): string {
  const p = pyStrip(prediction.replaceAll("<|assistant|>", ""));
  const afterThink = p.split("</think>").pop()!;
  return pyStrip(afterThink.replaceAll("<answer>", "").replaceAll("</answer>", ""));
}

function failed(ids: string[], reason: string): IfevalResult {
  const none: IfevalVerdict = { follow_instruction_list: ids.map(() => false), follow_all_instructions: false };
  return { correct: false, details: { ...none, loose: { ...none, follow_instruction_list: [...none.follow_instruction_list] }, instruction_id_list: ids, reason } };
}

/**
 * Score one response. `correct` is the strict follow_all_instructions; `details.loose` the loose
 * verdict. For the Tülu 3 `func_name` format there is no loose mode: loose equals strict.
 */
export function verifyIfeval(response: string, spec: IfevalSpec, opts?: { deadline?: number }): IfevalResult {
  const parsed = parseSpec(spec);
  if (typeof response !== "string") return failed(parsed.ids, "response is not a string");
  if (response.length > MAX_RESPONSE_LENGTH) {
    return failed(parsed.ids, `response too long (${response.length} > ${MAX_RESPONSE_LENGTH} characters)`);
  }
  try {
    if (parsed.format === "rlvr-if-legacy") {
      const text = parsed.rawResponse ? response : removeThinkingSection(response);
      const view = new Views().of(text);
      const list = parsed.checks.map((check) => check(view));
      const verdict = { follow_instruction_list: list, follow_all_instructions: list.every(Boolean) };
      return { correct: verdict.follow_all_instructions, details: { ...verdict, loose: { ...verdict, follow_instruction_list: [...list] }, instruction_id_list: parsed.ids } };
    }
    const text = parsed.format === "rlvr-if" ? removeThinkingSection(response) : response;
    const { strict, loose } = evaluateChecks(text, parsed.checks, opts?.deadline);
    return { correct: strict.follow_all_instructions, details: { ...strict, loose, instruction_id_list: parsed.ids } };
  } catch (e) {
    if (e instanceof DeadlineExceeded) return failed(parsed.ids, "timeout");
    throw e;
  }
}
