/**
 * Every recipe shipped in recipes/ validates (schema, cross-field rules, input files present), as torchtune's
 * test_configs does for its configs; and the recipe's backend list is the engine's.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BACKEND_NAMES } from "../src/engine/index.js";
import { BACKENDS, loadRecipe } from "../src/recipe/index.js";

const RECIPES = join(import.meta.dirname, "..", "recipes");
const files = readdirSync(RECIPES).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"));

describe("recipes/", () => {
  it("ships at least the sft-tiny recipe", () => {
    expect(files).toContain("sft-tiny.yaml");
  });

  it.each(files)("%s validates", (file) => {
    const recipe = loadRecipe(join(RECIPES, file));
    expect(recipe.stages.length).toBeGreaterThan(0);
  });

  it("offers exactly the engine's backends", () => {
    expect([...BACKENDS].sort()).toEqual([...BACKEND_NAMES].sort());
  });
});
