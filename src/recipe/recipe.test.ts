import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RecipeError } from "../errors.js";
import { deriveSeed, loadRecipe, recipeFromObject, STAGE_KINDS, STAGE_SCHEMAS, stageWithDefaults, type Recipe } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "recipe-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tempDir = () => mkdtempSync(join(root, "t-"));

const minimal = () => ({
  seed: 7,
  model: { preset: "tiny" },
  tokenizer: { train: { vocab_size: 512, data: ["text.jsonl"] } },
  stages: [
    { kind: "pretrain", name: "pt", data: ["text.jsonl"] },
    { kind: "sft", name: "sft", data: ["sft.jsonl"] },
    { kind: "eval", name: "ev", sets: [{ name: "gsm", path: "gsm.jsonl" }] },
  ],
});

/** The issues a recipe object raises, as "path: message" lines. */
function issuesOf(doc: unknown, overrides: string[] = []): string[] {
  try {
    recipeFromObject(doc, "r.yaml", { checkFiles: false, overrides });
  } catch (err) {
    if (err instanceof RecipeError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("recipe schema", () => {
  it("fills every default and resolves paths against the recipe folder", () => {
    const r = recipeFromObject(minimal(), "/somewhere/recipes/r.yaml", { checkFiles: false });
    expect(r.name).toBe("r");
    expect(r.backend).toBe("wasm");
    expect(r.tokenizer.train!.data).toEqual(["/somewhere/recipes/text.jsonl"]);
    const [pt, sft, ev] = r.stages as [Recipe["stages"][number], Recipe["stages"][number], Recipe["stages"][number]];
    expect(pt).toMatchObject({ kind: "pretrain", steps: 200, schedule: "cosine", from: null, data_seed: null });
    expect(sft).toMatchObject({ kind: "sft", reduce: "mean", packing: false, epochs: 2, max_steps: null });
    expect(ev).toMatchObject({ kind: "eval", temperature: 0, sets: [{ name: "gsm", format: "rlvr", limit: null }] });
  });

  it("documents and defaults every stage field (except the required ones)", () => {
    for (const kind of STAGE_KINDS) {
      const schema = STAGE_SCHEMAS[kind] as { properties: Record<string, { description?: string; default?: unknown; const?: string }>; required: string[] };
      for (const [key, field] of Object.entries(schema.properties)) {
        expect(field.description, `${kind}.${key} description`).toBeTruthy();
        if (!schema.required.includes(key) && field.const === undefined) expect(field, `${kind}.${key} default`).toHaveProperty("default");
      }
    }
  });

  it("anneal defaults to a linear decay to zero, unlike pretrain", () => {
    const doc = minimal();
    doc.stages.splice(1, 0, { kind: "anneal", name: "an", data: ["text.jsonl"] });
    const r = recipeFromObject(doc, "r.yaml", { checkFiles: false });
    expect(r.stages[1]).toMatchObject({ schedule: "linear", min_lr_ratio: 0, warmup_ratio: 0 });
  });

  it("rejects an unknown key, naming the allowed ones", () => {
    const doc = minimal() as ReturnType<typeof minimal> & { stages: Record<string, unknown>[] };
    doc.stages[1]!.learning_rate = 1e-3;
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^stages\.sft\.learning_rate: unknown key 'learning_rate' \(allowed: kind, name, from, data/);
  });

  it("rejects a wrong type", () => {
    const doc = minimal() as { stages: Record<string, unknown>[] };
    doc.stages[0]!.steps = "many";
    expect(issuesOf(doc)).toEqual(["stages.pt.steps: must be integer"]);
  });

  it("rejects a missing required field", () => {
    const doc = minimal() as { stages: Record<string, unknown>[] };
    delete doc.stages[1]!.data;
    expect(issuesOf(doc)).toEqual(["stages.sft.data: missing required field"]);
    const noStages = minimal() as Partial<ReturnType<typeof minimal>>;
    delete noStages.stages;
    expect(issuesOf(noStages)).toEqual(["stages: missing required field"]);
  });

  it("rejects a bad enum value and an unknown stage kind", () => {
    const doc = minimal() as { stages: Record<string, unknown>[] };
    doc.stages[1]!.reduce = "median";
    doc.stages.push({ kind: "distill", name: "d" });
    doc.stages.push({ name: "nokind" });
    expect(issuesOf(doc)).toEqual([
      "stages.sft.reduce: must be one of: sum, mean",
      "stages.d.kind: must be one of: pretrain, anneal, soup, sft, dpo, rlvr, eval, export",
      "stages.nokind.kind: missing required field",
    ]);
  });

  it("reports every problem at once, schema and cross-field", () => {
    const doc = minimal() as { model: Record<string, unknown>; stages: Record<string, unknown>[] };
    doc.stages[0]!.lr = -1;
    doc.stages[2]!.max_new_tokens = 0;
    expect(issuesOf(doc)).toEqual(["stages.pt.lr: must be > 0", "stages.ev.max_new_tokens: must be >= 1"]);
    const cross = minimal() as { model: Record<string, unknown>; stages: Record<string, unknown>[] };
    cross.model.path = "some/dir";
    cross.stages.push({ kind: "soup", name: "soup", stages: ["pt", "later"] }, { kind: "sft", name: "pt", data: ["x"], from: "nope" });
    expect(issuesOf(cross)).toEqual([
      "model: set exactly one of model.preset and model.path",
      "stages.soup.stages: 'later' is not an earlier stage",
      "stages.4.name: duplicate stage name 'pt'",
      "stages.pt.from: 'nope' is not an earlier stage (or 'start')",
    ]);
  });

  it("checks RLVR fields that only work together, before any stage runs", () => {
    const doc = minimal() as { stages: Record<string, unknown>[] };
    doc.stages.push(
      { kind: "rlvr", name: "ppo", data: ["x"], algorithm: "ppo", filter_zero_std_samples: true, no_resampling_pass_rate: 0.9 },
      { kind: "rlvr", name: "grpo", data: ["x"], active_sampling: true, num_generations: 1, datasets: ["gsm8k", "poetry"] },
    );
    expect(issuesOf(doc)).toEqual([
      "stages.ppo.filter_zero_std_samples: PPO samples one response per prompt, there are no groups to filter",
      "stages.ppo.no_resampling_pass_rate: needs GRPO's groups (PPO samples one response per prompt)",
      "stages.grpo.num_generations: GRPO with scale_rewards needs at least 2 samples per prompt, got 1",
      "stages.grpo.active_sampling: refills the batch after filter_zero_std_samples drops groups; set filter_zero_std_samples: true",
      expect.stringMatching(/^stages\.grpo\.datasets\.1: unknown verifier "poetry"/),
    ]);
  });

  it("checks sequence lengths against the preset's context and rejects an unknown preset", () => {
    const long = minimal() as { model: Record<string, unknown>; stages: Record<string, unknown>[] };
    long.stages[0]!.seq_length = 2000; // tiny: max_position_embeddings 1024
    expect(issuesOf(long)).toEqual(["stages.pt.seq_length: 2000 exceeds the model's max_position_embeddings 1024"]);
    long.model.overrides = { max_position_embeddings: 2048 };
    expect(issuesOf(long)).toEqual([]);
    expect(issuesOf({ ...minimal(), model: { preset: "huge" } })).toEqual([
      "model.preset: unknown preset 'huge' (expected micro, tiny, small, base)",
    ]);
  });

  it("checks that input files exist", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "text.jsonl"), "");
    expect(() => recipeFromObject(minimal(), join(dir, "r.yaml"))).toThrow(/stages\.sft\.data\.0: file not found: .*sft\.jsonl/);
  });
});

describe("--set overrides", () => {
  it("sets fields by stage name or index, parsing values as YAML, and re-validates", () => {
    const r = recipeFromObject(minimal(), "r.yaml", {
      checkFiles: false,
      overrides: ["stages.sft.lr=3e-4", "stages.0.steps=5", "model.overrides.max_position_embeddings=2048", "stages.ev.sets.gsm.limit=3"],
    });
    expect(r.stages[1]).toMatchObject({ lr: 3e-4 });
    expect(r.stages[0]).toMatchObject({ steps: 5 });
    expect(r.model.overrides).toEqual({ max_position_embeddings: 2048 });
    expect(r.stages[2]).toMatchObject({ sets: [{ limit: 3 }] });
  });

  it("reports bad overrides with the override text", () => {
    expect(issuesOf(minimal(), ["seed"])).toEqual(["--set seed: expected path=value"]);
    expect(issuesOf(minimal(), ["stages.nope.lr=1"])).toEqual(["--set stages.nope.lr=1: no element 'nope' in stages"]);
    expect(issuesOf(minimal(), ["seed.x=1"])).toEqual(["--set seed.x=1: seed is not an object or list"]);
    expect(issuesOf(minimal(), ["stages.sft.lrr=1"])[0]).toMatch(/^stages\.sft\.lrr: unknown key 'lrr'/);
    expect(issuesOf(minimal(), ["stages.sft.packing=maybe"])).toEqual(["stages.sft.packing: must be boolean"]);
  });
});

describe("recipe files", () => {
  it("reports YAML syntax errors with their line", () => {
    const dir = tempDir();
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "seed: 1\nstages:\n  - kind: sft\n   name: x\n");
    expect(() => loadRecipe(file)).toThrow(/line \d+:\d+: YAML: /);
  });

  it("rejects a recipe that is not a mapping", () => {
    const dir = tempDir();
    const file = join(dir, "list.yaml");
    writeFileSync(file, "- a\n- b\n");
    expect(() => loadRecipe(file)).toThrow(/a recipe is a YAML mapping/);
  });
});

describe("deriveSeed", () => {
  it("is stable and differs by label", () => {
    expect(deriveSeed(1, "data", "anneal-a")).toBe(deriveSeed(1, "data", "anneal-a"));
    expect(deriveSeed(1, "data", "anneal-a")).not.toBe(deriveSeed(1, "data", "anneal-b"));
    expect(deriveSeed(1, "x")).not.toBe(deriveSeed(2, "x"));
  });
});

describe("stageWithDefaults", () => {
  it("fills the same defaults as loading a recipe", () => {
    const loaded = recipeFromObject(minimal(), "r.yaml", { checkFiles: false }).stages[1]!;
    // The loader also resolves data paths against the recipe's folder; pass the resolved ones.
    expect(stageWithDefaults("sft", { name: "sft", data: loaded.kind === "sft" ? loaded.data : [] })).toEqual(loaded);
  });

  it("keeps given fields, names the stage after its kind, and rejects fields the schema refuses", () => {
    const dpo = stageWithDefaults("dpo", { data: ["p.jsonl"], beta: 0.5 });
    expect(dpo).toMatchObject({ kind: "dpo", name: "dpo", beta: 0.5, loss_type: "dpo_norm", from: null });
    expect(() => stageWithDefaults("dpo", { data: ["p.jsonl"], beta: -1 })).toThrow(/beta/);
    expect(() => stageWithDefaults("dpo", {})).toThrow(/data: missing required field/);
  });
});
