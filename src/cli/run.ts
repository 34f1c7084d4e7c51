/**
 * `posttrain run RECIPE [--out DIR] [--set path=value ...] [--backend B] [--resume]`: run a recipe into a run
 * folder. Parsing and printing only; the work is src/stages' runRecipe.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BackendName } from "../engine/index.js";
import { BACKENDS, loadRecipe } from "../recipe/index.js";
import { writeRunReport } from "../report/index.js";
import { runRecipe } from "../stages/index.js";

const HELP = `usage: posttrain run RECIPE [--out DIR] [--set path=value ...] [--backend B] [--resume]

  --out DIR          run folder (default runs/<recipe name>-<date>-<time>)
  --set path=value   override a recipe field (stages by name: --set stages.sft.lr=3e-4); repeatable
  --backend B        ${BACKENDS.join(" | ")} (default: the recipe's backend)
  --resume           continue the run in --out: skip finished stages, resume the interrupted one`;

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
      backend: { type: "string" },
      resume: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (values.backend !== undefined && !(BACKENDS as readonly string[]).includes(values.backend)) {
    console.error(`posttrain run: --backend must be one of ${BACKENDS.join(", ")}`);
    return 2;
  }
  if (values.resume && !values.out) {
    console.error("posttrain run: --resume needs --out DIR (the run folder to continue)");
    return 2;
  }
  const file = positionals[0]!;
  const recipe = loadRecipe(file, { overrides: values.set });
  const runDir = resolve(values.out ?? join("runs", `${recipe.name}-${timestamp(new Date())}`));
  const summary = await runRecipe({
    recipe,
    recipeFile: resolve(file),
    runDir,
    resume: values.resume,
    backend: values.backend as BackendName | undefined,
    write: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stderr.isTTY),
  });
  console.log(`run folder: ${summary.runDir}`);
  for (const stage of summary.stages) console.log(`  ${stage.name.padEnd(16)} ${JSON.stringify(stage.summary)}`);
  const report = await writeRunReport(summary.runDir);
  console.log(`\n${report.markdown}\nreport: ${report.htmlFile} (table: results.md, results.json; charts: report/*.svg)`);
  return 0;
}
