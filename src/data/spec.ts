/**
 * From an RLVR row to what its verifier needs (the `spec` of `verify(name, response, spec)`).
 *
 * gsm8k and math take the bare answer as `ground_truth`. For ifeval the row's ground truth is JSON in one of
 * open-instruct's shapes, unpacked here into IFEval's own fields so the checks get the instruction ids, their
 * kwargs and the prompt:
 *   - `[{"instruction_id": [...], "kwargs": [...]}]` (open-instruct's IFEvalVerifier; what the world writes),
 *   - `{"instruction_id_list": [...], "kwargs": [...]}` (IFEval's input_data.jsonl row shape).
 * Anything else (Tülu 3's `{"func_name": ...}` rows) is passed on as `ground_truth` for the verifier to read.
 */
import type { RlvrRow } from "./formats.js";

/** Structurally the verifiers' VerifySpec. */
export interface VerifierSpec {
  ground_truth?: string;
  instruction_id_list?: string[];
  kwargs?: (Record<string, unknown> | null)[];
  prompt?: string;
}

/** The last user turn: the prompt IFEval's checks see (combination:repeat_prompt compares against it). */
export function lastUserTurn(row: Pick<RlvrRow, "messages">): string {
  for (let i = row.messages.length - 1; i >= 0; i--) if (row.messages[i]!.role === "user") return row.messages[i]!.content;
  return "";
}

/** IFEval's instruction ids and kwargs from open-instruct's ground-truth JSON, or undefined for other shapes. */
export function parseIfevalGroundTruth(groundTruth: string): { instruction_id_list: string[]; kwargs: (Record<string, unknown> | null)[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(groundTruth);
  } catch {
    return undefined;
  }
  const entries = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  const kwargs: (Record<string, unknown> | null)[] = [];
  for (const entry of entries) {
    if (typeof entry !== "object" || entry === null) return undefined;
    const e = entry as Record<string, unknown>;
    const list = e.instruction_id ?? e.instruction_id_list;
    if (!Array.isArray(list) || !Array.isArray(e.kwargs) || list.length !== e.kwargs.length) return undefined;
    ids.push(...(list as string[]));
    kwargs.push(...(e.kwargs as (Record<string, unknown> | null)[]));
  }
  return ids.length > 0 ? { instruction_id_list: ids, kwargs } : undefined;
}

export function verifierSpec(row: Pick<RlvrRow, "messages" | "ground_truth" | "dataset">): VerifierSpec {
  if (row.dataset !== "ifeval") return { ground_truth: row.ground_truth };
  const prompt = lastUserTurn(row);
  const parsed = parseIfevalGroundTruth(row.ground_truth);
  return parsed ? { ...parsed, prompt } : { ground_truth: row.ground_truth, prompt };
}

/** open-instruct's ifeval ground truth for a list of instructions: what the world's RLVR rows carry. */
export function ifevalGroundTruth(instructionIds: string[], kwargs: Record<string, unknown>[]): string {
  return JSON.stringify([{ instruction_id: instructionIds, kwargs }]);
}
