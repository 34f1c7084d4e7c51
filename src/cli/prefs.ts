/**
 * `posttrain prefs --model DIR --data RLVR.jsonl --n 4 --out PAIRS.jsonl [options]`: on-policy preference
 * pairs. Samples n completions per prompt from the model (through its chat template), scores them with the
 * verifier each row names, and writes one pair per prompt with both a correct and an incorrect completion,
 * in the preference format a dpo stage reads. Prints one JSON line of counts to stdout.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../checkpoint/index.js";
import { readAll, writeJsonl } from "../data/index.js";
import { onPolicyPreferences } from "../dpo/index.js";
import { BACKEND_NAMES, describeBackend, initBackendInfo } from "../engine/index.js";
import { PosttrainError } from "../errors.js";
import { Tokenizer } from "../tokenizer/index.js";
import { checkBackend, isCount, numberOption, parseCommand, UsageError } from "./args.js";

const HELP = `usage: posttrain prefs --model DIR --data RLVR.jsonl --out PAIRS.jsonl [options]

  --model DIR            HF-format model folder with its tokenizer files
  --data FILE            RLVR JSONL ({id, messages, ground_truth, dataset}); dataset names the verifier
  --out FILE             where the preference pairs go (JSONL, preference format)
  --n N                  completions sampled per prompt (default 4)
  --temperature T        sampling temperature (default 1)
  --max-new-tokens N     default 128
  --seed S               sampling seed (default 0)
  --limit K              use only the first K prompts
  --batch-prompts P      prompts sampled together (default 4)
  --verifier-timeout S   per-check time budget in seconds (default 10)
  --backend B            ${BACKEND_NAMES.join(" | ")} (default auto)`;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    "prefs",
    argv,
    {
      model: { type: "string" },
      data: { type: "string" },
      out: { type: "string" },
      n: { type: "string" },
      temperature: { type: "string" },
      "max-new-tokens": { type: "string" },
      seed: { type: "string" },
      limit: { type: "string" },
      "batch-prompts": { type: "string" },
      "verifier-timeout": { type: "string" },
      backend: { type: "string", default: "auto" },
    },
    HELP,
    (values) => {
      for (const required of ["model", "data", "out"] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
      const backend = checkBackend(values.backend);
      if (!existsSync(join(values.model!, "tokenizer.json"))) throw new UsageError(`${values.model}: no tokenizer.json in the model folder`);
      return {
        backend,
        n: numberOption("n", values.n, 4, (n) => Number.isInteger(n) && n >= 2),
        temperature: numberOption("temperature", values.temperature, 1, (n) => n >= 0),
        maxNewTokens: numberOption("max-new-tokens", values["max-new-tokens"], 128, isCount),
        seed: numberOption("seed", values.seed, 0, Number.isInteger),
        limit: values.limit === undefined ? null : numberOption("limit", values.limit, 0, isCount),
        promptsPerBatch: numberOption("batch-prompts", values["batch-prompts"], 4, isCount),
        verifierTimeoutMs: numberOption("verifier-timeout", values["verifier-timeout"], 10, (n) => n > 0) * 1000,
      };
    },
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const { backend, ...opts } = parsed.opts;
  try {
    console.error(describeBackend(await initBackendInfo(backend)));
    const rows = await readAll(values.data!, "rlvr");
    const prompts = opts.limit === null ? rows : rows.slice(0, opts.limit);
    const tokenizer = await Tokenizer.load(values.model!);
    const model = await loadModel(values.model!);
    try {
      const { pairs, stats } = await onPolicyPreferences(model, tokenizer, prompts, { ...opts, source: `onpolicy:${values.model}` }, (done, total) =>
        console.error(`prefs: ${done}/${total} prompts`),
      );
      await writeJsonl(values.out!, pairs);
      console.log(JSON.stringify({ out: values.out, ...stats }));
    } finally {
      model.dispose();
    }
    return 0;
  } catch (err) {
    if (!(err instanceof PosttrainError)) throw err;
    console.error(`posttrain prefs: ${err.message}`);
    return 1;
  }
}
