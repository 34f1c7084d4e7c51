/**
 * Recipe validation: the JSON Schema (ajv, all errors, defaults filled in place) followed by the cross-field
 * checks a schema cannot express (unique stage names, references to earlier stages, exactly-one-of). Every
 * problem comes back at once as {path, message}, with stage paths written by name (`stages.sft.lr`), the same
 * syntax `--set` takes.
 */
import { Ajv, type ErrorObject } from "ajv";
import { RECIPE_SCHEMA } from "./schema.js";
import { STAGE_KINDS, STAGE_SCHEMAS } from "./schema-stages.js";
import { RecipeError } from "../errors.js";
import { isPresetName, PRESETS } from "../model/index.js";
import { resolveVerifier } from "../verifiers/index.js";
import type { Recipe, StageConfig, StageConfigs, StageKind } from "./types.js";

export interface RecipeIssue {
  path: string;
  message: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, verbose: true });
const validateSchema = ajv.compile(RECIPE_SCHEMA);

/** `/stages/2/lr` -> `stages.sft.lr` (the stage's name when it has a valid one, else its index). */
export function displayPath(instancePath: string, doc: unknown): string {
  const parts = instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (parts[0] === "stages" && parts[1] !== undefined) {
    const stages = (doc as { stages?: unknown[] } | null)?.stages;
    const stage = Array.isArray(stages) ? (stages[Number(parts[1])] as { name?: unknown } | undefined) : undefined;
    if (stage && typeof stage.name === "string" && stage.name) parts[1] = stage.name;
  }
  return parts.join(".");
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(e: ErrorObject, doc: unknown): RecipeIssue {
  const path = displayPath(e.instancePath, doc);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      return {
        path: join(path, String(p.additionalProperty)),
        message: `unknown key '${String(p.additionalProperty)}' (allowed: ${allowed.join(", ")})`,
      };
    }
    case "required":
      return { path: join(path, String(p.missingProperty)), message: "missing required field" };
    case "enum":
      return { path, message: `must be one of: ${(p.allowedValues as unknown[]).join(", ")}` };
    case "type":
      return { path, message: `must be ${String(p.type).replace(",", " or ")}` };
    case "discriminator":
      return {
        path: join(path, "kind"),
        message: p.tagValue === undefined ? "missing required field" : `must be one of: ${STAGE_KINDS.join(", ")}`,
      };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** Checks that need more than one field. Runs only on a schema-valid recipe. */
function crossFieldIssues(r: Recipe): RecipeIssue[] {
  const issues: RecipeIssue[] = [];
  if ((r.model.preset === null) === (r.model.path === null)) {
    issues.push({ path: "model", message: "set exactly one of model.preset and model.path" });
  }
  if ((r.tokenizer.path === null) === (r.tokenizer.train === null)) {
    issues.push({ path: "tokenizer", message: "set exactly one of tokenizer.path and tokenizer.train" });
  }
  const seen = new Set<string>();
  r.stages.forEach((stage, i) => {
    const at = `stages.${stage.name}`;
    if (seen.has(stage.name)) issues.push({ path: `stages.${i}.name`, message: `duplicate stage name '${stage.name}'` });
    if (stage.from !== null && stage.from !== "start" && !seen.has(stage.from)) {
      issues.push({ path: `${at}.from`, message: `'${stage.from}' is not an earlier stage (or 'start')` });
    }
    if (stage.kind === "soup") {
      for (const ref of stage.stages) {
        if (!seen.has(ref)) issues.push({ path: `${at}.stages`, message: `'${ref}' is not an earlier stage` });
      }
      if (stage.weights !== null && stage.weights.length !== stage.stages.length) {
        issues.push({ path: `${at}.weights`, message: `has ${stage.weights.length} weights for ${stage.stages.length} stages` });
      }
    }
    if (stage.kind === "eval") {
      const names = stage.sets.map((s) => s.name);
      const dup = names.find((n, j) => names.indexOf(n) !== j);
      if (dup) issues.push({ path: `${at}.sets`, message: `duplicate set name '${dup}'` });
    }
    if (stage.kind === "dpo" && stage.max_prompt_length >= stage.max_length) {
      issues.push({ path: `${at}.max_prompt_length`, message: "must be smaller than max_length" });
    }
    if (stage.kind === "rlvr") issues.push(...rlvrIssues(stage, at));
    seen.add(stage.name);
  });
  return issues;
}

/** RLVR fields that only make sense together (GRPO's groups, the filter that active sampling refills after). */
function rlvrIssues(stage: StageConfigs["rlvr"], at: string): RecipeIssue[] {
  const issues: RecipeIssue[] = [];
  const ppo = stage.algorithm === "ppo";
  if (!ppo && stage.scale_rewards && stage.num_generations < 2) {
    issues.push({ path: `${at}.num_generations`, message: `GRPO with scale_rewards needs at least 2 samples per prompt, got ${stage.num_generations}` });
  }
  if (ppo && stage.filter_zero_std_samples) {
    issues.push({ path: `${at}.filter_zero_std_samples`, message: "PPO samples one response per prompt, there are no groups to filter" });
  }
  if (ppo && stage.no_resampling_pass_rate !== null) {
    issues.push({ path: `${at}.no_resampling_pass_rate`, message: "needs GRPO's groups (PPO samples one response per prompt)" });
  }
  if (stage.active_sampling && !stage.filter_zero_std_samples) {
    issues.push({ path: `${at}.active_sampling`, message: "refills the batch after filter_zero_std_samples drops groups; set filter_zero_std_samples: true" });
  }
  (stage.datasets ?? []).forEach((d, i) => {
    try {
      resolveVerifier(d);
    } catch (err) {
      issues.push({ path: `${at}.datasets.${i}`, message: (err as Error).message });
    }
  });
  return issues;
}

/** The sequence length each training stage asks of the model, by field. */
function sequenceLengths(stage: StageConfig): [string, number][] {
  switch (stage.kind) {
    case "pretrain":
    case "anneal":
      return [["seq_length", stage.seq_length]];
    case "sft":
      return [["max_seq_length", stage.max_seq_length]];
    case "dpo":
      return [["max_length", stage.max_length]];
    default:
      return [];
  }
}

/** A preset model's context must hold every stage's sequences (checked before any training starts). */
function modelLimitIssues(r: Recipe): RecipeIssue[] {
  if (r.model.preset === null || !isPresetName(r.model.preset)) {
    return r.model.preset === null ? [] : [{ path: "model.preset", message: `unknown preset '${r.model.preset}' (expected ${Object.keys(PRESETS).join(", ")})` }];
  }
  const override = r.model.overrides["max_position_embeddings"];
  const context = typeof override === "number" ? override : PRESETS[r.model.preset].max_position_embeddings;
  return r.stages.flatMap((stage) =>
    sequenceLengths(stage)
      .filter(([, length]) => length > context)
      .map(([field, length]) => ({
        path: `stages.${stage.name}.${field}`,
        message: `${length} exceeds the model's max_position_embeddings ${context}`,
      })),
  );
}

/**
 * Validate `doc` in place (defaults are written into it) and return every issue; an empty list means `doc`
 * is now a complete `Recipe`.
 */
export function recipeIssues(doc: unknown): RecipeIssue[] {
  if (validateSchema(doc)) return [...crossFieldIssues(doc as Recipe), ...modelLimitIssues(doc as Recipe)];
  const issues = (validateSchema.errors ?? [])
    // A failed discriminator branch also reports the oneOf itself; the branch's own errors say more.
    .filter((e) => e.keyword !== "oneOf" && e.keyword !== "if")
    .map((e) => describe(e, doc));
  const unique = new Map(issues.map((i) => [`${i.path}\u0000${i.message}`, i]));
  return [...unique.values()];
}

const stageValidators = new Map<StageKind, ReturnType<typeof ajv.compile>>();

/**
 * One stage config with every schema default filled in, through the same ajv `useDefaults` pass a recipe
 * file goes through (so tests and tools never repeat the defaults by hand). `name` defaults to the kind.
 * Throws RecipeError (file `stage <kind>`) when `fields` break the stage's schema.
 */
export function stageWithDefaults<K extends StageKind>(kind: K, fields: Partial<StageConfigs[K]> = {}): StageConfigs[K] {
  let validate = stageValidators.get(kind);
  if (!validate) {
    validate = ajv.compile(STAGE_SCHEMAS[kind]);
    stageValidators.set(kind, validate);
  }
  const stage: Record<string, unknown> = { name: kind, ...structuredClone(fields), kind };
  if (!validate(stage)) {
    throw new RecipeError(`stage ${kind}`, (validate.errors ?? []).map((e) => describe(e, stage)));
  }
  return stage as unknown as StageConfigs[K];
}
