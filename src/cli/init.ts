/**
 * `posttrain init --preset tiny --out DIR [--seed S] [--backend B] [--tie] [--num-key-value-heads N] [--dtype F32|BF16]`:
 * writes a randomly initialised OLMo-2 model as an HF-format folder.
 */
import { saveModel } from "../checkpoint/index.js";
import { BACKEND_NAMES, type BackendName, describeBackend, initBackendInfo } from "../engine/index.js";
import { type Olmo2Config, Olmo2Model, PRESETS, configFromPreset, parameterCounts } from "../model/index.js";
import { backendProblem, parseCommand, UsageError } from "./args.js";

const HELP = `usage: posttrain init --preset NAME --out DIR [options]

  --preset NAME              ${Object.keys(PRESETS).join(" | ")}
  --out DIR                  folder to write (config.json, model.safetensors, generation_config.json)
  --seed S                   initialisation seed (default 0)
  --tie                      tie_word_embeddings (no separate lm_head.weight)
  --num-key-value-heads N    grouped-query attention with N kv heads
  --dtype F32|BF16           weight dtype in model.safetensors (default F32)
  --backend B                ${BACKEND_NAMES.join(" | ")} (default auto)`;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    "init",
    argv,
    {
      preset: { type: "string" },
      out: { type: "string" },
      seed: { type: "string", default: "0" },
      tie: { type: "boolean", default: false },
      "num-key-value-heads": { type: "string" },
      dtype: { type: "string", default: "F32" },
      backend: { type: "string", default: "auto" },
    },
    HELP,
    // Every problem is reported at once, joined with "; ".
    (values) => {
      const problems: string[] = [];
      if (!values.preset) problems.push("--preset is required");
      if (!values.out) problems.push("--out is required");
      const seed = Number(values.seed);
      if (!Number.isInteger(seed)) problems.push(`--seed must be an integer, got '${values.seed}'`);
      if (values.dtype !== "F32" && values.dtype !== "BF16") problems.push(`--dtype must be F32 or BF16, got '${values.dtype}'`);
      const backend = backendProblem(values.backend);
      if (backend) problems.push(backend);
      const overrides: Partial<Olmo2Config> = {};
      if (values.tie) overrides.tie_word_embeddings = true;
      if (values["num-key-value-heads"] !== undefined) {
        const kv = Number(values["num-key-value-heads"]);
        if (!Number.isInteger(kv) || kv <= 0) problems.push(`--num-key-value-heads must be a positive integer, got '${values["num-key-value-heads"]}'`);
        overrides.num_key_value_heads = kv;
      }
      if (problems.length) throw new UsageError(problems.join("; "));
      return { seed, overrides };
    },
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const { seed, overrides } = parsed.opts;
  let config: Olmo2Config;
  try {
    config = configFromPreset(values.preset!, overrides);
  } catch (err) {
    console.error(`posttrain init: ${(err as Error).message}`);
    return 2;
  }
  console.error(describeBackend(await initBackendInfo(values.backend as BackendName)));
  const model = Olmo2Model.init(config, seed);
  await saveModel(values.out!, model, { dtype: values.dtype as "F32" | "BF16" });
  const counts = parameterCounts(config);
  console.log(
    `wrote ${values.out}: preset ${values.preset}, ${counts.total.toLocaleString("en-US")} parameters, ` +
      `${config.num_attention_heads}/${config.num_key_value_heads} heads/kv heads, tie_word_embeddings ${config.tie_word_embeddings}, ${values.dtype}`,
  );
  model.dispose();
  return 0;
}
