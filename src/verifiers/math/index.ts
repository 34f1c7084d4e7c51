/**
 * MATH verifier: open-instruct `MathVerifier` semantics. Each candidate answer (see extract.ts) is correct if
 * the sympy-style value comparison (sympy-equiv.ts) or Hendrycks' normalised string comparison
 * (hendrycks.ts) says it equals the label.
 */
import type { Deadline } from "../deadline.js";
import type { Verdict } from "../types.js";
import { mathCandidates } from "./extract.js";
import { hendrycksIsEquiv } from "./hendrycks.js";
import { sympyIsEquiv } from "./sympy-equiv.js";

export { mathCandidates, lastBoxedOnlyString, removeBoxed, getUnnormalizedAnswer } from "./extract.js";
export { hendrycksIsEquiv, stripString } from "./hendrycks.js";
export { normalizeFinalAnswer } from "./minerva.js";
export { sympyIsEquiv } from "./sympy-equiv.js";
export { parseLatex } from "./latex-parser.js";

const SHOWN_CHARS = 300;
const shorten = (s: string): string => (s.length > SHOWN_CHARS ? s.slice(0, SHOWN_CHARS) + "…" : s);

/** Scores a response against each label (correct if any label matches any candidate). */
export function verifyMath(response: string, labels: readonly string[], deadline: Deadline): Verdict {
  const candidates = mathCandidates(response);
  for (const candidate of candidates) {
    for (const label of labels) {
      deadline.checkNow();
      if (sympyIsEquiv(candidate, label, deadline).equal) {
        return { correct: true, details: { candidates: candidates.map(shorten), matched: shorten(candidate), by: "sympy" } };
      }
      if (hendrycksIsEquiv(candidate, label)) {
        return { correct: true, details: { candidates: candidates.map(shorten), matched: shorten(candidate), by: "hendrycks" } };
      }
    }
  }
  return { correct: false, details: { candidates: candidates.map(shorten) } };
}
