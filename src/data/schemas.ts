/**
 * JSON Schemas for rows as they appear in files (AI2's published variants included), compiled once with ajv
 * (allErrors, so one bad row reports every bad field). What a schema cannot say (an assistant turn must exist,
 * chosen and rejected share their prompt) is checked in normalize.ts.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Format } from "./formats.js";

const message = {
  type: "object",
  required: ["role", "content"],
  properties: {
    role: { enum: ["system", "user", "assistant"] },
    content: { type: "string" },
  },
} as const;

const messages = { type: "array", minItems: 1, items: message } as const;

/** Ids may be strings (with `/`) or integers; missing ids are derived from the content. */
const id = { type: ["string", "integer"] } as const;

/** Tülu 3 rows name their origin in `source`; Tülu 2 rows in `dataset`. */
const origin = {
  source: { type: "string" },
  dataset: { type: "string" },
} as const;

const nullableString = { type: ["string", "null"] } as const;

const SCHEMAS: Record<Format, object> = {
  sft: {
    type: "object",
    required: ["messages"],
    properties: { id, messages, ...origin },
  },
  preference: {
    type: "object",
    required: ["chosen", "rejected"],
    properties: {
      id,
      prompt: { type: "string" },
      chosen: messages,
      rejected: messages,
      ...origin,
    },
  },
  rlvr: {
    type: "object",
    required: ["messages", "ground_truth", "dataset"],
    properties: {
      id,
      messages,
      // A bare answer string; some mixtures wrap it (and the verifier name) in one-element lists.
      ground_truth: { type: ["string", "number", "array", "object"] },
      dataset: {
        anyOf: [
          { type: "string" },
          { type: "array", items: { type: "string" }, minItems: 1, maxItems: 1 },
        ],
      },
      constraint_type: nullableString,
      constraint: nullableString,
      difficulty: { type: "integer" },
    },
  },
  text: {
    type: "object",
    required: ["text"],
    properties: { id, text: { type: "string" }, ...origin },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const compiled = new Map<Format, ValidateFunction>();

/** The compiled validator for a format's file rows. */
export function rowValidator(format: Format): ValidateFunction {
  let fn = compiled.get(format);
  if (!fn) {
    fn = ajv.compile(SCHEMAS[format]);
    compiled.set(format, fn);
  }
  return fn;
}

/** The JSON Schema of a format's file rows (for docs and `data validate --help`). */
export function rowSchema(format: Format): object {
  return SCHEMAS[format];
}

export interface FieldProblem {
  /** JSON pointer of the bad field, e.g. `/messages/1/role`; "" for the row itself. */
  field: string;
  problem: string;
}

/** One readable problem per ajv error; `required` errors point at the missing field itself. */
export function describeAjvErrors(errors: readonly ErrorObject[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    // anyOf repeats its branches' errors; the anyOf error itself is the readable one.
    if (e.schemaPath.includes("/anyOf/")) continue;
    if (e.keyword === "required") {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      out.push({ field: `${e.instancePath}/${missing}`, problem: "is required" });
    } else if (e.keyword === "enum") {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      out.push({ field: e.instancePath, problem: `must be one of ${allowed.join(", ")}` });
    } else if (e.keyword === "anyOf" && e.instancePath === "/dataset") {
      out.push({ field: e.instancePath, problem: "must be a string (or a list holding one string)" });
    } else {
      out.push({ field: e.instancePath, problem: e.message ?? e.keyword });
    }
  }
  return out;
}
