/**
 * The JSONL row format of `posttrain verify`: `{"id", "verifier" | "dataset", "response", "ground_truth" |
 * "instruction_id_list" + "kwargs", "prompt"?}`. Validation names the file, line and field of the first problem.
 */
import { DataError, VerifierSpecError } from "../errors.js";
import { resolveVerifier } from "./registry.js";
import type { VerifierName, VerifySpec } from "./types.js";

export interface VerifyRow {
  id: unknown;
  verifier: VerifierName;
  response: string;
  spec: VerifySpec;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses and checks one line; throws DataError(file, line, field, problem). */
export function parseVerifyRow(text: string, file: string, line: number): VerifyRow {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (err) {
    throw new DataError(file, line, "", `not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(row)) throw new DataError(file, line, "", "a row must be a JSON object");
  const field = row.verifier !== undefined ? "verifier" : "dataset";
  const name = row[field];
  if (typeof name !== "string") throw new DataError(file, line, "verifier", 'missing: give "verifier" or "dataset"');
  let verifier: VerifierName;
  try {
    verifier = resolveVerifier(name);
  } catch (err) {
    throw new DataError(file, line, field, (err as VerifierSpecError).message);
  }
  if (typeof row.response !== "string") throw new DataError(file, line, "response", "must be a string");
  const spec: VerifySpec = {};
  const gt = row.ground_truth;
  if (gt !== undefined && gt !== null) {
    if (typeof gt !== "string" && !(Array.isArray(gt) && gt.every((g) => typeof g === "string"))) {
      throw new DataError(file, line, "ground_truth", "must be a string or a list of strings");
    }
    spec.ground_truth = gt as string | string[];
  }
  if (verifier !== "ifeval") {
    if (spec.ground_truth === undefined || (Array.isArray(spec.ground_truth) && spec.ground_truth.length === 0)) {
      throw new DataError(file, line, "ground_truth", `required by the ${verifier} verifier`);
    }
  } else {
    const ids = row.instruction_id_list;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || !ids.every((i) => typeof i === "string")) {
        throw new DataError(file, line, "instruction_id_list", "must be a list of strings");
      }
      const kwargs = row.kwargs ?? ids.map(() => ({}));
      if (!Array.isArray(kwargs) || kwargs.length !== ids.length || !kwargs.every((k) => k === null || isRecord(k))) {
        throw new DataError(file, line, "kwargs", `must be a list of ${ids.length} objects, one per instruction id`);
      }
      spec.instruction_id_list = ids as string[];
      spec.kwargs = kwargs as (Record<string, unknown> | null)[];
    } else if (spec.ground_truth === undefined) {
      throw new DataError(file, line, "instruction_id_list", "ifeval rows need instruction_id_list + kwargs, or ground_truth");
    }
    if (row.prompt !== undefined) {
      if (typeof row.prompt !== "string") throw new DataError(file, line, "prompt", "must be a string");
      spec.prompt = row.prompt;
    }
  }
  return { id: row.id ?? null, verifier, response: row.response, spec };
}
