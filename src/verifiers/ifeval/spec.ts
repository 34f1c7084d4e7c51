/**
 * The three spec shapes the IFEval verifier accepts, turned into a list of checks:
 *
 * 1. Google IFEval rows: `instruction_id_list` + `kwargs` (one dict per id; null means none).
 * 2. open-instruct's RLVR-IF format (`IFEvalVerifier`): `ground_truth` is a JSON or Python-literal
 *    string of `[{"instruction_id": [...], "kwargs": [...]}]` (or that dict alone, or a list whose
 *    first element is such a dict serialised as a string). Scored on the response with its
 *    `<think>...</think>` part and `<answer>` tags removed; null kwargs are dropped.
 * 3. Tülu 3's older format (`IFEvalVerifierOld`): `{"func_name": ..., ...kwargs}`.
 */
import { VerifierSpecError } from "../../errors.js";
import { buildCheck, type Check } from "./instructions.js";
import { buildLegacyCheck } from "./legacy.js";
import { parseLiteral } from "./pyliteral.js";

export interface IfevalSpec {
  instruction_id_list?: string[];
  kwargs?: (Record<string, unknown> | null)[];
  prompt?: string;
  ground_truth?: string | string[];
}

export type SpecFormat = "ifeval" | "rlvr-if" | "rlvr-if-legacy";

export interface ParsedSpec {
  format: SpecFormat;
  ids: string[];
  checks: Check[];
  /** Legacy constraints with no kwargs score the raw response, the others the thinking-stripped answer. */
  rawResponse: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function buildList(ids: unknown, kwargs: unknown, where: string): { ids: string[]; checks: Check[] } {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    throw new VerifierSpecError(`ifeval: ${where}: instruction ids must be a list of strings, got ${JSON.stringify(ids)}`);
  }
  const list = kwargs === undefined || kwargs === null ? ids.map(() => null) : kwargs;
  if (!Array.isArray(list)) throw new VerifierSpecError(`ifeval: ${where}: kwargs must be a list, got ${JSON.stringify(kwargs)}`);
  if (list.length !== ids.length) {
    throw new VerifierSpecError(`ifeval: ${where}: ${ids.length} instruction ids but ${list.length} kwargs entries`);
  }
  const checks = ids.map((id: string, i) => {
    const k = list[i] ?? {};
    if (!isRecord(k)) throw new VerifierSpecError(`ifeval: ${where}: kwargs[${i}] must be an object or null, got ${JSON.stringify(k)}`);
    return buildCheck(id, k, `kwargs[${i}]`);
  });
  return { ids: ids as string[], checks };
}

/** One ground-truth value (already parsed) to checks. */
function fromGroundTruth(value: unknown): ParsedSpec {
  let v = value;
  if (Array.isArray(v)) {
    if (v.length === 0) throw new VerifierSpecError("ifeval: ground_truth: empty list");
    v = v[0];
    if (typeof v === "string") v = parseLiteral(v, "ground_truth[0]");
  }
  if (!isRecord(v)) throw new VerifierSpecError(`ifeval: ground_truth: expected an object, got ${JSON.stringify(v)?.slice(0, 200)}`);
  if ("func_name" in v) {
    const { id, check, usesRawResponse } = buildLegacyCheck(v);
    return { format: "rlvr-if-legacy", ids: [id], checks: [check], rawResponse: usesRawResponse };
  }
  if ("instruction_id" in v) {
    return { format: "rlvr-if", ...buildList(v.instruction_id, v.kwargs, "ground_truth"), rawResponse: false };
  }
  if ("instruction_id_list" in v) {
    return { format: "ifeval", ...buildList(v.instruction_id_list, v.kwargs, "ground_truth"), rawResponse: true };
  }
  throw new VerifierSpecError("ifeval: ground_truth: needs instruction_id (+ kwargs), instruction_id_list (+ kwargs) or func_name");
}

/** Validate a spec and build its checks; throws VerifierSpecError naming the bad field. */
export function parseSpec(spec: IfevalSpec): ParsedSpec {
  if (!isRecord(spec)) throw new VerifierSpecError("ifeval: spec must be an object");
  if (spec.instruction_id_list !== undefined) {
    return { format: "ifeval", ...buildList(spec.instruction_id_list, spec.kwargs, "instruction_id_list"), rawResponse: true };
  }
  const gt = spec.ground_truth;
  if (typeof gt === "string") return fromGroundTruth(parseLiteral(gt, "ground_truth"));
  if (Array.isArray(gt) && gt.length > 0 && gt.every((g) => typeof g === "string")) {
    if (gt.length === 1) return fromGroundTruth(parseLiteral(gt[0]!, "ground_truth[0]"));
    const parts = gt.map((g, i) => fromGroundTruth(parseLiteral(g, `ground_truth[${i}]`)));
    if (new Set(parts.map((p) => p.format + p.rawResponse)).size > 1) {
      throw new VerifierSpecError("ifeval: ground_truth: a list of constraints must all use the same format");
    }
    return { format: parts[0]!.format, ids: parts.flatMap((p) => p.ids), checks: parts.flatMap((p) => p.checks), rawResponse: parts[0]!.rawResponse };
  }
  if (isRecord(gt)) return fromGroundTruth(gt);
  throw new VerifierSpecError("ifeval: spec needs instruction_id_list + kwargs, or ground_truth (a JSON string)");
}
