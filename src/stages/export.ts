/**
 * The export stage: the model as a self-contained HF folder (model.safetensors, config.json,
 * generation_config.json, tokenizer.json + tokenizer_config.json with the chat template) and a model card
 * README.md with the recipe that made it and the results of every eval stage before it.
 */
import { cpSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { stringify } from "yaml";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { packageVersion, type ExportStage, type Recipe } from "../recipe/index.js";
import { resultsMarkdown, resultsTable } from "../report/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import type { CompletedStage, StageContext, StageResult } from "../recipe/index.js";

function formatCell(value: unknown): string {
  return typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : String(value ?? "");
}

/** A Markdown table: one row per eval stage, one column per headline number. */
export function evalTable(evals: CompletedStage[]): string {
  if (evals.length === 0) return "_No eval stage ran before this export._\n";
  const columns = [...new Set(evals.flatMap((e) => Object.keys(e.summary).filter((k) => k !== "model")))];
  const header = `| eval stage | model | ${columns.join(" | ")} |\n|---|---|${columns.map(() => "---").join("|")}|\n`;
  // The evaluated model is named by its stage folder (NN-name), the part of its path that says which stage made it.
  const modelOf = (e: CompletedStage) => (typeof e.summary.model === "string" ? basename(dirname(e.summary.model)) : "");
  const rows = evals.map((e) => `| ${e.name} | ${modelOf(e)} | ${columns.map((c) => formatCell(e.summary[c])).join(" | ")} |`);
  return header + rows.join("\n") + "\n";
}

/** `stages`: every earlier stage, so the results table names the checkpoint each eval evaluated (src/report). */
export function modelCard(
  recipe: Recipe,
  config: ExportStage,
  evals: CompletedStage[],
  inputModelDir: string,
  stages: CompletedStage[] = evals,
): string {
  return `---
library_name: transformers
license: apache-2.0
tags: [olmo2, posttrain, tulu]
---

# ${recipe.name}

An OLMo-2-architecture model (\`Olmo2ForCausalLM\`) made by posttrain ${packageVersion()} from the recipe
below. ${recipe.description}

Load it with Hugging Face transformers (\`AutoModelForCausalLM.from_pretrained(folder)\`,
\`AutoTokenizer.from_pretrained(folder)\`; the chat template is the Tülu / OLMo-2-Instruct one) or with
\`posttrain chat --model <folder>\`. Exported from \`${inputModelDir}\` as ${config.dtype}.

## Evaluation

Held-out sets of the run, generated with the eval stages' settings (greedy unless the recipe says otherwise).

${resultsMarkdown(resultsTable(stages))}
Every headline number per eval stage:

${evalTable(evals)}
## Recipe

\`\`\`yaml
${stringify(recipe).trimEnd()}
\`\`\`
`;
}

export async function runExport(ctx: StageContext, config: ExportStage): Promise<StageResult> {
  const model = await loadModel(ctx.inputModelDir);
  const modelDir = join(ctx.stageDir, "model");
  try {
    const sampling = config.temperature > 0;
    await saveModel(modelDir, model, {
      dtype: config.dtype === "bfloat16" ? "BF16" : "F32",
      tokenizer: await Tokenizer.load(ctx.tokenizerDir),
      generationConfig: {
        max_new_tokens: config.max_new_tokens,
        do_sample: sampling,
        ...(sampling ? { temperature: config.temperature } : {}),
      },
    });
  } finally {
    model.dispose();
  }
  const evals = [...ctx.previous.values()].filter((s) => s.kind === "eval");
  writeFileSync(join(modelDir, "README.md"), modelCard(ctx.recipe, config, evals, ctx.inputModelDir, [...ctx.previous.values()]));
  if (config.out) {
    cpSync(modelDir, config.out, { recursive: true });
    ctx.log(`copied to ${config.out}`);
  }
  return { modelDir, summary: { dir: modelDir, dtype: config.dtype, evals: evals.map((e) => e.name) } };
}
