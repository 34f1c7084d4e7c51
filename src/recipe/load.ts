/**
 * Recipe loading: YAML text -> `--set path=value` overrides -> schema + cross-field validation -> paths
 * resolved against the recipe file's folder -> data files checked. Any problem at any step is collected and
 * thrown once as a RecipeError listing all of them with their paths.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, resolve } from "node:path";
import { LineCounter, parseDocument, parse as parseYaml } from "yaml";
import { RecipeError } from "../errors.js";
import type { Recipe, StageConfig } from "./types.js";
import { recipeIssues, type RecipeIssue } from "./validate.js";

export interface LoadOptions {
  /** `path=value` strings; stage segments may be a stage name or index (`stages.sft.lr=3e-4`). */
  overrides?: string[];
  /** Check that every data file and folder the recipe names exists (default true). */
  checkFiles?: boolean;
}

/** Parse YAML text; syntax errors become issues with their line and column. */
function parseRecipeText(text: string): { doc: unknown; issues: RecipeIssue[] } {
  const lines = new LineCounter();
  const parsed = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (parsed.errors.length > 0) {
    const issues = parsed.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      return { path: `line ${at.line}:${at.col}`, message: `YAML: ${e.message.split("\n")[0]}` };
    });
    return { doc: undefined, issues };
  }
  return { doc: parsed.toJS(), issues: [] };
}

/** Apply one `a.b.c=value` override in place; the value is parsed as YAML (numbers, booleans, lists, null). */
function applyOverride(doc: Record<string, unknown>, expr: string): RecipeIssue | null {
  const eq = expr.indexOf("=");
  if (eq <= 0) return { path: `--set ${expr}`, message: "expected path=value" };
  const path = expr.slice(0, eq).split(".");
  let value: unknown;
  try {
    value = parseYaml(expr.slice(eq + 1));
  } catch (err) {
    return { path: `--set ${expr}`, message: `value is not valid YAML: ${(err as Error).message.split("\n")[0]}` };
  }
  let node: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      const index = /^\d+$/.test(key)
        ? Number(key)
        : node.findIndex((item) => (item as { name?: unknown } | null)?.name === key);
      if (index < 0 || index >= node.length) {
        return { path: `--set ${expr}`, message: `no element '${key}' in ${path.slice(0, i).join(".")}` };
      }
      if (last) node[index] = value;
      else node = node[index];
    } else if (node !== null && typeof node === "object") {
      const obj = node as Record<string, unknown>;
      if (last) obj[key] = value;
      else {
        if (obj[key] === undefined || obj[key] === null) obj[key] = {};
        node = obj[key];
      }
    } else {
      return { path: `--set ${expr}`, message: `${path.slice(0, i).join(".")} is not an object or list` };
    }
  }
  return null;
}

function resolvePaths(recipe: Recipe, baseDir: string): void {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (recipe.model.path) recipe.model.path = abs(recipe.model.path);
  if (recipe.tokenizer.path) recipe.tokenizer.path = abs(recipe.tokenizer.path);
  if (recipe.tokenizer.train) recipe.tokenizer.train.data = recipe.tokenizer.train.data.map(abs);
  for (const stage of recipe.stages) {
    if ("data" in stage) stage.data = stage.data.map(abs);
    if ("eval_data" in stage && stage.eval_data) stage.eval_data = stage.eval_data.map(abs);
    if (stage.kind === "eval") for (const set of stage.sets) set.path = abs(set.path);
    if (stage.kind === "export" && stage.out) stage.out = abs(stage.out);
  }
}

/** Every input file or folder a recipe reads, with the field that names it. */
export function recipeInputs(recipe: Recipe): { field: string; path: string }[] {
  const inputs: { field: string; path: string }[] = [];
  if (recipe.model.path) inputs.push({ field: "model.path", path: recipe.model.path });
  if (recipe.tokenizer.path) inputs.push({ field: "tokenizer.path", path: recipe.tokenizer.path });
  recipe.tokenizer.train?.data.forEach((path, i) => inputs.push({ field: `tokenizer.train.data.${i}`, path }));
  for (const stage of recipe.stages as StageConfig[]) {
    const at = `stages.${stage.name}`;
    if ("data" in stage) stage.data.forEach((path, i) => inputs.push({ field: `${at}.data.${i}`, path }));
    if ("eval_data" in stage && stage.eval_data) {
      stage.eval_data.forEach((path, i) => inputs.push({ field: `${at}.eval_data.${i}`, path }));
    }
    if (stage.kind === "eval") stage.sets.forEach((s) => inputs.push({ field: `${at}.sets.${s.name}.path`, path: s.path }));
  }
  return inputs;
}

/** Validate a parsed recipe object (overrides already applied); returns it typed or throws RecipeError. */
export function recipeFromObject(doc: unknown, file: string, options: LoadOptions = {}): Recipe {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const overrideIssues = (options.overrides ?? [])
    .map((expr) => applyOverride(copy, expr))
    .filter((i): i is RecipeIssue => i !== null);
  if (overrideIssues.length > 0) throw new RecipeError(file, overrideIssues);
  const issues = recipeIssues(copy);
  if (issues.length > 0) throw new RecipeError(file, issues);
  const recipe = copy as unknown as Recipe;
  recipe.name ??= basename(file, extname(file));
  resolvePaths(recipe, dirname(resolve(file)));
  if (options.checkFiles !== false) {
    const missing = recipeInputs(recipe)
      .filter((input) => !existsSync(input.path))
      .map((input) => ({ path: input.field, message: `file not found: ${input.path}` }));
    if (missing.length > 0) throw new RecipeError(file, missing);
  }
  return recipe;
}

/** Read, override, validate and resolve a recipe file. Throws RecipeError listing every problem. */
export function loadRecipe(file: string, options: LoadOptions = {}): Recipe {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new RecipeError(file, [{ path: "", message: `cannot read recipe: ${(err as Error).message}` }]);
  }
  const { doc, issues } = parseRecipeText(text);
  if (issues.length > 0) throw new RecipeError(file, issues);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new RecipeError(file, [{ path: "", message: "a recipe is a YAML mapping (key: value lines)" }]);
  }
  return recipeFromObject(doc, file, options);
}
