/** The world's checker: the project's verifiers (correct = the verifier's strict verdict). */
import { verify } from "../../verifiers/index.js";
import type { Checker } from "./build.js";

/**
 * Generous: generated text is not hostile, and the first IFEval check also pays for loading langdetect's
 * profiles and punkt's parameters, which can exceed the verifiers' default one-second budget.
 */
const TIME_BUDGET_MS = 60_000;

export const verifierCheck: Checker = (verifier, response, spec) => {
  const result = verify(verifier, response, spec, { timeBudgetMs: TIME_BUDGET_MS });
  // A verifier that gives up (timeout, size limit) has no verdict: counting it as "rejected" would hide bugs.
  if (typeof result.details.reason === "string") {
    throw new Error(`the ${verifier} verifier gave no verdict (${result.details.reason}) on ${JSON.stringify(response.slice(0, 200))}`);
  }
  return result.correct;
};
