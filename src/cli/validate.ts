/**
 * `posttrain validate RECIPE... [--set path=value ...] [--print]`: check recipes without running them (schema,
 * cross-field rules, that every input file exists). Prints every problem of every file; exit code 1 if any.
 */
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { RecipeError } from "../errors.js";
import { loadRecipe } from "../recipe/index.js";

const HELP = `usage: posttrain validate RECIPE... [--set path=value ...] [--print]

  --set path=value   override a field before validating (stages are addressed by name: stages.sft.lr=3e-4)
  --print            print the resolved recipe (defaults filled, paths absolute) as YAML`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      set: { type: "string", multiple: true, default: [] },
      print: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  let failed = 0;
  for (const file of positionals) {
    try {
      const recipe = loadRecipe(file, { overrides: values.set });
      const stages = recipe.stages.map((s) => `${s.name} (${s.kind})`).join(", ");
      console.log(`ok: ${file}: ${recipe.stages.length} stage(s): ${stages}`);
      if (values.print) console.log(stringify(recipe));
    } catch (err) {
      if (!(err instanceof RecipeError)) throw err;
      console.error(err.message);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
