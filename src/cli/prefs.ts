/**
 * `posttrain prefs --model DIR --data RLVR.jsonl --n 4 --out PAIRS.jsonl [options]`: on-policy preference
 * pairs. Samples n completions per prompt from the model (through its chat template), scores them with the
 * verifier each row names, and writes one pair per prompt with both a correct and an incorrect completion,
 * in the preference format a dpo stage reads. Prints one JSON line of counts to stdout.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadModel } from "../checkpoint/index.js";
import { readAll, writeJsonl } from "../data/index.js";
import { onPolicyPreferences } from "../dpo/index.js";
import { BACKEND_NAMES, type BackendName, describeBackend, initBackendInfo } from "../engine/index.js";
import { PosttrainError } from "../errors.js";
import { Tokenizer } from "../tokenizer/index.js";

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

class UsageError extends Error {}

function number(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} has an invalid value '${raw}'`);
  return n;
}

const isCount = (n: number) => Number.isInteger(n) && n >= 1;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
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
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let opts;
  try {
    for (const required of ["model", "data", "out"] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    if (!(BACKEND_NAMES as readonly string[]).includes(values.backend!)) throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(", ")}`);
    if (!existsSync(join(values.model!, "tokenizer.json"))) throw new UsageError(`${values.model}: no tokenizer.json in the model folder`);
    opts = {
      n: number("n", values.n, 4, (n) => Number.isInteger(n) && n >= 2),
      temperature: number("temperature", values.temperature, 1, (n) => n >= 0),
      maxNewTokens: number("max-new-tokens", values["max-new-tokens"], 128, isCount),
      seed: number("seed", values.seed, 0, Number.isInteger),
      limit: values.limit === undefined ? null : number("limit", values.limit, 0, isCount),
      promptsPerBatch: number("batch-prompts", values["batch-prompts"], 4, isCount),
      verifierTimeoutMs: number("verifier-timeout", values["verifier-timeout"], 10, (n) => n > 0) * 1000,
    };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`posttrain prefs: ${err.message}\n\n${HELP}`);
    return 2;
  }
  try {
    console.error(describeBackend(await initBackendInfo(values.backend as BackendName)));
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
