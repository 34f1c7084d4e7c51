/**
 * IFEval verifier: Google's instruction_following_eval checks, strict and loose.
 * Entry point for the verifier registry (src/verifiers/index.ts).
 * Work in progress: the instruction checks land behind this signature.
 */
import { VerifierSpecError } from "../../errors.js";

export interface IfevalSpec {
  instruction_id_list?: string[];
  kwargs?: (Record<string, unknown> | null)[];
  prompt?: string;
  ground_truth?: string | string[];
}
export interface IfevalVerdict {
  follow_instruction_list: boolean[];
  follow_all_instructions: boolean;
}
export interface IfevalResult {
  correct: boolean;
  details: IfevalVerdict & { loose: IfevalVerdict; instruction_id_list: string[]; reason?: string };
}

export function verifyIfeval(response: string, spec: IfevalSpec, opts?: { deadline?: number }): IfevalResult {
  void response;
  void opts;
  throw new VerifierSpecError(`ifeval: not implemented yet (spec with ${spec.instruction_id_list?.length ?? 0} instructions)`);
}
