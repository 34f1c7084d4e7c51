/**
 * Strict and loose verdicts exactly as `evaluation.test_instruction_following` computes them
 * (google-research instruction_following_eval; josejg copy 0c495b2):
 *
 * - strict: instruction i is followed iff `response.strip()` is non-empty and check_i(response);
 * - loose: the same over 8 variants of the response (as is; without every "*"; without its first
 *   line, its last line, or both, each stripped; those three without "*"), followed if any
 *   non-blank variant passes.
 *
 * So an empty or blank response fails every instruction, even prohibitions like no_comma.
 */
import type { Check } from "./instructions.js";
import { pyStrip } from "./pystr.js";
import { type ResponseView, Views } from "./views.js";

export interface IfevalVerdict {
  follow_instruction_list: boolean[];
  follow_all_instructions: boolean;
}

/** Thrown internally when the caller's deadline passes between two checks. */
export class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
}

/** The 8 loose-mode variants, in the reference's order. */
export function looseVariants(response: string): string[] {
  const lines = response.split("\n");
  const withoutFirst = pyStrip(lines.slice(1).join("\n"));
  const withoutLast = pyStrip(lines.slice(0, -1).join("\n"));
  const withoutBoth = pyStrip(lines.slice(1, -1).join("\n"));
  const noStars = (s: string) => s.replaceAll("*", "");
  return [response, noStars(response), withoutFirst, withoutLast, withoutBoth, noStars(withoutFirst), noStars(withoutLast), noStars(withoutBoth)];
}

function verdict(list: boolean[]): IfevalVerdict {
  return { follow_instruction_list: list, follow_all_instructions: list.every(Boolean) };
}

/**
 * Run every check in strict and loose mode; `deadline` (Date.now() ms) is checked before each check
 * call. The response and its variants are wrapped in views shared by all the checks.
 */
export function evaluateChecks(
  response: string,
  checks: readonly Check[],
  deadline: number | undefined,
): { strict: IfevalVerdict; loose: IfevalVerdict } {
  const tick = () => {
    if (deadline !== undefined && Date.now() > deadline) throw new DeadlineExceeded("deadline passed");
  };
  const views = new Views();
  const strictList: boolean[] = [];
  const looseList: boolean[] = [];
  const view = views.of(response);
  // Checks are pure, so each distinct non-blank variant needs running once; built on first need.
  let variants: ResponseView[] | null = null;
  for (const check of checks) {
    tick();
    const strict = !view.blank && check(view);
    strictList.push(strict);
    let loose = strict;
    if (!loose) {
      variants ??= [...new Set(looseVariants(response))].filter((v) => v !== response).map((v) => views.of(v)).filter((v) => !v.blank);
    }
    for (let i = 0; !loose && i < variants!.length; i++) {
      tick();
      loose = check(variants![i]!);
    }
    looseList.push(loose);
  }
  return { strict: verdict(strictList), loose: verdict(looseList) };
}
