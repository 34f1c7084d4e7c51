/**
 * GSM8K verifier, as open-instruct's `GSM8KVerifier` (open_instruct/ground_truth_utils.py):
 *
 *   response  = re.sub(r"(\d),(\d)", r"\1\2", prediction)          # drop commas between digits
 *   numbers   = re.findall(r"[-+]?(?:\d*\.\d+|\d+)", response)      # left to right, non-overlapping
 *   extracted = numbers[-1] if numbers else response
 *   correct   = str(extracted).lower() == str(label).lower()        # a string compare, never numeric
 *
 * So `66.0` ≠ `66`, `$6.75` and `26%` pass, `- 19` gives `19`, `3/8` gives `8`, and a later number wins.
 * Python's `\d` is any Unicode decimal digit, hence `\p{Nd}`.
 */
import type { Verdict } from "./types.js";

const COMMA_BETWEEN_DIGITS = /(\p{Nd}),(\p{Nd})/gu;
const NUMBER = /[-+]?(?:\p{Nd}*\.\p{Nd}+|\p{Nd}+)/gu;

/** The answer GSM8KVerifier extracts: the last number after removing thousands commas, else the whole text. */
export function extractGsm8kAnswer(response: string): string {
  const cleaned = response.replace(COMMA_BETWEEN_DIGITS, "$1$2");
  let last: string | undefined;
  for (const m of cleaned.matchAll(NUMBER)) last = m[0];
  return last ?? cleaned;
}

/** Scores one response against each label (correct if any matches). */
export function verifyGsm8k(response: string, labels: readonly string[]): Verdict {
  const extracted = extractGsm8kAnswer(response);
  const key = extracted.toLowerCase();
  const correct = labels.some((label) => label.toLowerCase() === key);
  return { correct, details: { extracted: extracted.length > 200 ? extracted.slice(0, 200) + "…" : extracted } };
}
