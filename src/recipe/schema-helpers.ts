/**
 * Tiny builders for JSON Schema nodes, so every recipe field is written as one line carrying its type,
 * default and description (the schema is also the field reference: `posttrain validate --explain` and docs
 * read the descriptions from here).
 */
export type JsonSchema = Record<string, unknown>;

interface Bounds {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

export function num(description: string, def: number, bounds: Bounds = {}): JsonSchema {
  return { type: "number", description, default: def, ...bounds };
}

export function int(description: string, def: number, bounds: Bounds = {}): JsonSchema {
  return { type: "integer", description, default: def, ...bounds };
}

export function bool(description: string, def: boolean): JsonSchema {
  return { type: "boolean", description, default: def };
}

export function str(description: string, def?: string): JsonSchema {
  return def === undefined ? { type: "string", minLength: 1, description } : { type: "string", description, default: def };
}

export function oneOfStrings<T extends string>(values: readonly T[], description: string, def: T): JsonSchema {
  return { type: "string", enum: [...values], description, default: def };
}

/** A nullable field: `null` means "not set / derived" and is the default. */
export function nullable(schema: JsonSchema): JsonSchema {
  const { type, default: _ignored, ...rest } = schema;
  return { ...rest, type: [type as string, "null"], default: null };
}

export function strList(description: string, minItems = 1): JsonSchema {
  return { type: "array", items: { type: "string", minLength: 1 }, minItems, description };
}

/** A closed object: unknown keys are errors; listed `required` keys have no default. */
export function object(properties: Record<string, JsonSchema>, required: string[], description: string): JsonSchema {
  return { type: "object", description, properties, required, additionalProperties: false };
}
