/**
 * `posttrain generate --model DIR (--prompt-ids 1,2,3 | --prompt TEXT | --chat TEXT) [options]`: generates
 * from an HF-format model folder. With --json, stdout is exactly one JSON object
 * {"prompt_ids", "output_ids", "logprobs", "text"}; logprobs are natural-log probabilities under the model
 * before temperature. The backend line goes to stderr.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { loadModel } from "../checkpoint/index.js";
import { BACKEND_NAMES, describeBackend, initBackendInfo } from "../engine/index.js";
import { eosIds, generate } from "../model/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import { checkBackend, numberOption, parseCommand, UsageError } from "./args.js";

const HELP = `usage: posttrain generate --model DIR (--prompt-ids 1,2,3 | --prompt TEXT | --chat TEXT) [options]

  --model DIR            HF-format model folder
  --prompt-ids IDS       comma-separated token ids
  --prompt TEXT          raw text (needs tokenizer files in the folder)
  --chat TEXT            one user message, formatted with the chat template (needs tokenizer files)
  --max-new-tokens N     default 32
  --temperature T        0 = greedy (default 0)
  --top-k K              keep the K most likely tokens (default: all)
  --top-p P              nucleus sampling threshold (default 1)
  --seed S               sampling seed (default 0)
  --json                 print one JSON object: prompt_ids, output_ids, logprobs, text
  --backend B            ${BACKEND_NAMES.join(" | ")} (default auto)`;

/** The folder's tokenizer, or null when it has no tokenizer files. */
async function loadTokenizer(dir: string): Promise<Tokenizer | null> {
  if (!existsSync(path.join(dir, "tokenizer.json"))) return null;
  return Tokenizer.load(dir);
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    "generate",
    argv,
    {
      model: { type: "string" },
      "prompt-ids": { type: "string" },
      prompt: { type: "string" },
      chat: { type: "string" },
      "max-new-tokens": { type: "string" },
      temperature: { type: "string" },
      "top-k": { type: "string" },
      "top-p": { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean", default: false },
      backend: { type: "string", default: "auto" },
    },
    HELP,
    (values) => {
      if (!values.model) throw new UsageError("--model is required");
      const given = ["prompt-ids", "prompt", "chat"].filter((k) => values[k as "prompt"] !== undefined);
      if (given.length !== 1) throw new UsageError("give exactly one of --prompt-ids, --prompt, --chat");
      const backend = checkBackend(values.backend);
      const isWhole = (n: number) => Number.isInteger(n) && n >= 0;
      return {
        dir: values.model,
        backend,
        maxNewTokens: numberOption("max-new-tokens", values["max-new-tokens"], 32, isWhole),
        temperature: numberOption("temperature", values.temperature, 0, (n) => n >= 0),
        topK: numberOption("top-k", values["top-k"], 0, isWhole),
        topP: numberOption("top-p", values["top-p"], 1, (n) => n > 0 && n <= 1),
        seed: numberOption("seed", values.seed, 0, Number.isInteger),
      };
    },
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const { dir, backend, ...opts } = parsed.opts;
  console.error(describeBackend(await initBackendInfo(backend)));
  const model = await loadModel(dir);
  const tokenizer = await loadTokenizer(dir);
  let promptIds: number[];
  if (values["prompt-ids"] !== undefined) {
    promptIds = values["prompt-ids"].split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
    const bad = promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= model.config.vocab_size);
    if (bad !== undefined || promptIds.length === 0) {
      console.error(`posttrain generate: --prompt-ids needs comma-separated ids in [0, ${model.config.vocab_size}), got '${values["prompt-ids"]}'`);
      return 2;
    }
  } else {
    if (!tokenizer) {
      console.error(`posttrain generate: --prompt and --chat need tokenizer files (tokenizer.json) in ${dir}`);
      return 2;
    }
    promptIds = values.prompt !== undefined ? tokenizer.encode(values.prompt) : tokenizer.encodePrompt([{ role: "user", content: values.chat! }]);
  }
  // Text drops special tokens (the EOS that ends a chat turn); ids and logprobs keep every token.
  const decode = tokenizer ? (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true }) : undefined;
  const eosTokenId = [...new Set([...eosIds(model.config), ...(tokenizer ? [tokenizer.eosId] : [])])];
  // Without --json and with a tokenizer, text streams to stdout as tokens arrive.
  const streamed: number[] = [];
  let printed = "";
  const onToken = (_row: number, id: number) => {
    streamed.push(id);
    const text = decode!(streamed);
    process.stdout.write(text.slice(printed.length));
    printed = text;
  };
  const result = await generate(model, [promptIds], { ...opts, eosTokenId, ...(decode ? { decode } : {}), ...(!values.json && decode ? { onToken } : {}) });
  model.dispose();
  const outputIds = result.outputIds[0]!;
  const text = decode ? decode(outputIds) : "";
  if (values.json) {
    console.log(JSON.stringify({ prompt_ids: promptIds, output_ids: outputIds, logprobs: result.logprobs[0], text }));
  } else if (decode) {
    process.stdout.write(text.slice(printed.length) + "\n");
    console.error(`finish: ${result.finishReasons[0]}, ${outputIds.length} tokens`);
  } else {
    console.log(`output_ids: ${outputIds.join(",")}`);
    console.log(`logprobs:   ${result.logprobs[0]!.map((x) => x.toFixed(5)).join(",")}`);
    console.log(`finish:     ${result.finishReasons[0]}`);
  }
  return 0;
}
