/**
 * `posttrain tokenizer train --data FILES... --vocab-size N --out DIR [--min-frequency N]`: train a byte-level BPE
 * (OLMo 2 layout) and write HF tokenizer files.
 * `posttrain tokenizer encode --tokenizer DIR --in TEXTS.jsonl`: print one `{"id", "ids"}` line per `{"id", "text"}`
 * row (no special tokens added).
 */
import { once } from "node:events";
import { Tokenizer, idTextRows, trainTokenizer, trainingTexts } from "../tokenizer/index.js";
import { parseCommand, UsageError } from "./args.js";

const HELP = `usage: posttrain tokenizer train --data FILE... --vocab-size N --out DIR [--min-frequency N]
       posttrain tokenizer encode --tokenizer DIR --in TEXTS.jsonl

train   FILEs are JSONL (text, prompt, and the contents of messages / chosen / rejected) or .txt;
        N counts everything: 256 byte symbols + merges + 5 special tokens
        (<|endoftext|> = BOS = EOS, <|pad|>, <|user|>, <|assistant|>, <|system|>).
        Writes tokenizer.json, tokenizer_config.json (Tülu / OLMo-2-Instruct chat template), special_tokens_map.json.
encode  reads {"id", "text"} lines, prints {"id", "ids"} lines.`;

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "train") return train(rest);
  if (sub === "encode") return encode(rest);
  if (sub === "--help" || sub === "-h") {
    console.log(HELP);
    return 0;
  }
  console.error(sub ? `posttrain tokenizer: unknown subcommand '${sub}'\n\n${HELP}` : HELP);
  return 2;
}

async function train(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    "tokenizer train",
    argv,
    {
      data: { type: "string", multiple: true },
      "vocab-size": { type: "string" },
      "min-frequency": { type: "string", default: "2" },
      out: { type: "string" },
    },
    HELP,
    (values, positionals) => {
      // `--data a.jsonl b.jsonl` leaves b.jsonl as a positional: both spellings name data files.
      const files = [...(values.data ?? []), ...positionals];
      const vocabSize = Number(values["vocab-size"]);
      const minFrequency = Number(values["min-frequency"]);
      const problems: string[] = [];
      if (files.length === 0) problems.push("--data needs at least one file");
      if (!values["vocab-size"] || !Number.isInteger(vocabSize)) problems.push("--vocab-size must be an integer");
      if (!Number.isInteger(minFrequency) || minFrequency < 1) problems.push("--min-frequency must be a positive integer");
      if (!values.out) problems.push("--out is required");
      if (problems.length > 0) throw new UsageError(problems.join("; "));
      return { files, vocabSize, minFrequency };
    },
    true,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const { files, vocabSize, minFrequency } = parsed.opts;
  const started = performance.now();
  const tokenizer = await trainTokenizer(trainingTexts(files), { vocabSize, minFrequency });
  await tokenizer.save(values.out!);
  const seconds = (performance.now() - started) / 1000;
  const note = tokenizer.vocabSize < vocabSize ? ` (data ran out of pairs occurring ${minFrequency}+ times before ${vocabSize})` : "";
  console.error(`trained vocab ${tokenizer.vocabSize}${note} in ${seconds.toFixed(1)} s -> ${values.out}`);
  return 0;
}

async function encode(argv: string[]): Promise<number> {
  const parsed = parseCommand("tokenizer encode", argv, { tokenizer: { type: "string" }, in: { type: "string" } }, HELP, (values) => {
    if (!values.tokenizer || !values.in) throw new UsageError("--tokenizer and --in are required");
    return { tokenizerDir: values.tokenizer, file: values.in };
  });
  if (typeof parsed === "number") return parsed;
  const tokenizer = await Tokenizer.load(parsed.opts.tokenizerDir);
  for await (const row of idTextRows(parsed.opts.file)) {
    const line = JSON.stringify({ id: row.id, ids: tokenizer.encode(row.text) }) + "\n";
    if (!process.stdout.write(line)) await once(process.stdout, "drain");
  }
  return 0;
}
