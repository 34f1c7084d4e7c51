/**
 * Answer extraction of open-instruct's `MathVerifier` (ground_truth_utils.py + math_utils.py):
 * the last `\boxed{}` (`last_boxed_only_string` + `remove_boxed`), the Minerva "Final Answer: The final answer
 * is X. I hope it is correct." sentence (`get_unnormalized_answer` + `normalize_final_answer`); only if neither
 * exists, the last `$...$` pair (normalised); only if that does not exist either, the whole response
 * (normalised, then raw).
 */
import { normalizeFinalAnswer } from "./minerva.js";

/** `last_boxed_only_string`: the last `\boxed{...}` (or `\fbox{...}`) with balanced braces, or `\boxed <text up to $>`. */
export function lastBoxedOnlyString(s: string): string | null {
  if (s.includes("\\boxed ")) {
    const tail = s.split("\\boxed ").pop()!;
    return "\\boxed " + tail.split("$")[0];
  }
  let idx = s.lastIndexOf("\\boxed");
  if (idx < 0) {
    idx = s.lastIndexOf("\\fbox");
    if (idx < 0) return null;
  }
  let open = 0;
  for (let i = idx; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7b) open++;
    else if (c === 0x7d) {
      open--;
      if (open === 0) return s.slice(idx, i + 1);
    }
  }
  return null;
}

/** `remove_boxed`; null where the Python asserts (so a `\fbox{}` never yields a candidate). */
export function removeBoxed(s: string): string | null {
  if (s.includes("\\boxed ")) return s.startsWith("\\boxed ") ? s.slice("\\boxed ".length) : null;
  if (!s.startsWith("\\boxed{") || !s.endsWith("}")) return null;
  return s.slice("\\boxed{".length, -1);
}

const MINERVA_PREFIX = "Final Answer: The final answer is";
const MINERVA_SUFFIX = " I hope it is correct";
export const INVALID_ANSWER = "[invalidanswer]";

/**
 * `get_unnormalized_answer`: appends "I hope it is correct." and takes the first match of
 * `Final Answer: The final answer is(.*?). I hope it is correct.` (`.` = any character but a newline), stripped.
 */
export function getUnnormalizedAnswer(input: string): string {
  const text = input + "I hope it is correct.";
  // Suffix positions, found once: scanning afresh for each prefix would be quadratic on hostile input.
  const suffixes: number[] = [];
  for (let j = text.indexOf(MINERVA_SUFFIX); j >= 0; j = text.indexOf(MINERVA_SUFFIX, j + 1)) suffixes.push(j);
  let k = 0;
  let lineEnd = -1;
  for (let p = text.indexOf(MINERVA_PREFIX); p >= 0; p = text.indexOf(MINERVA_PREFIX, p + 1)) {
    const q = p + MINERVA_PREFIX.length;
    if (lineEnd < q) {
      const newline = text.indexOf("\n", q);
      lineEnd = newline < 0 ? text.length : newline;
    }
    while (k < suffixes.length && suffixes[k]! < q + 1) k++;
    for (let i = k; i < suffixes.length && suffixes[i]! <= lineEnd; i++) {
      const j = suffixes[i]!;
      const after = j + MINERVA_SUFFIX.length;
      if (after < text.length && text[after] !== "\n") return text.slice(q, j - 1).trim();
    }
  }
  return INVALID_ANSWER;
}

/** The candidate answers MathVerifier tries, in order. */
export function mathCandidates(response: string): string[] {
  const candidates: string[] = [];
  const boxedString = lastBoxedOnlyString(response);
  const boxed = boxedString === null ? null : removeBoxed(boxedString);
  if (boxed !== null) candidates.push(boxed);
  const minerva = normalizeFinalAnswer(getUnnormalizedAnswer(response));
  if (minerva !== INVALID_ANSWER) candidates.push(minerva);
  if (candidates.length === 0) {
    const last = response.lastIndexOf("$");
    const previous = last <= 0 ? -1 : response.lastIndexOf("$", last - 1);
    if (previous >= 0) candidates.push(normalizeFinalAnswer(response.slice(previous + 1, last)));
  }
  if (candidates.length === 0) candidates.push(normalizeFinalAnswer(response), response);
  return candidates;
}
