/**
 * `posttrain data <generate|validate|check-contamination>`:
 *   generate             write the synthetic world (all splits plus a data card) into a folder
 *   validate             check JSONL files against a row format, every problem listed with file, line and field
 *   check-contamination  report eval prompts found in training data, exactly and by n-gram overlap
 */
import { parseArgs } from "node:util";
import {
  ContaminationIndex,
  FORMATS,
  detectFormat,
  isFormat,
  promptOf,
  readJsonl,
  summarizeContamination,
  validateFile,
  type EvalPrompt,
  type Format,
} from "../data/index.js";
import { SIZES, generateWorld, verifierCheck, type SizeName, type WorldSizes } from "../data/world/index.js";
import { DataErrors, PosttrainError } from "../errors.js";

const USAGE = `usage:
  posttrain data generate --out DIR [--seed S] [--size tiny|small|default|large] [--count KEY=N ...]
      KEY is one of ${Object.keys(SIZES.default).join(", ")} (or sft-train, rlvr-eval, ...);
      row counts, except *Chars: characters of text
  posttrain data validate --format ${FORMATS.join("|")} FILE... [--skip-invalid]
  posttrain data check-contamination --train FILE[,FILE...] --eval FILE[,FILE...] [--n 8] [--threshold 0.5] [--json]
      (--train and --eval may be repeated; each file's format is detected from its first row)`;

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "generate":
      return generate(rest);
    case "validate":
      return validate(rest);
    case "check-contamination":
      return checkContamination(rest);
    case undefined:
    case "--help":
    case "-h":
      console.log(USAGE);
      return sub ? 0 : 2;
    default:
      console.error(`posttrain data: unknown subcommand '${sub}'\n\n${USAGE}`);
      return 2;
  }
}

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new PosttrainError(`${flag} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

async function generate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      seed: { type: "string", default: "1" },
      size: { type: "string", default: "default" },
      count: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(USAGE), 0;
  if (!values.out) throw new PosttrainError("data generate: --out DIR is required");
  if (!(values.size in SIZES)) throw new PosttrainError(`data generate: --size must be one of ${Object.keys(SIZES).join(", ")}, got '${values.size}'`);
  const sizes: WorldSizes = { ...SIZES[values.size as SizeName] };
  for (const pair of values.count) {
    // Keys as in SIZES (sftTrain) or as file names (sft-train).
    const [name, n] = pair.split("=");
    const key = name?.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    if (!key || n === undefined || !(key in sizes)) throw new PosttrainError(`data generate: --count wants KEY=N with KEY one of ${Object.keys(sizes).join(", ")}, got '${pair}'`);
    sizes[key as keyof WorldSizes] = integer(`--count ${key}`, n);
  }
  const seed = integer("--seed", values.seed);
  const sizeArgs = [`--size ${values.size}`, ...values.count.map((c) => `--count ${c}`)].join(" ");
  const files = await generateWorld({ out: values.out, seed, sizes, sizeArgs, check: verifierCheck });
  for (const f of files) console.log(`${f.file.padEnd(20)} ${String(f.rows).padStart(6)} rows ${String(f.bytes).padStart(9)} bytes  ${f.sha256}`);
  console.log(`wrote ${files.length} files and README.md to ${values.out}`);
  return 0;
}

async function validate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: "string" }, "skip-invalid": { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return console.log(USAGE), 0;
  const format = values.format;
  if (!format || !isFormat(format)) throw new PosttrainError(`data validate: --format must be one of ${FORMATS.join(", ")}`);
  if (positionals.length === 0) throw new PosttrainError("data validate: name at least one FILE");
  let failed = false;
  for (const file of positionals) {
    if (values["skip-invalid"]) {
      const stream = readJsonl(file, format, { skipInvalid: true });
      for await (const _row of stream);
      console.log(`${file}: ${stream.stats.rows} valid ${format} rows, ${stream.stats.skipped} invalid skipped`);
      for (const e of stream.stats.firstErrors) console.log(`  ${e.message}`);
      continue;
    }
    try {
      const { rows } = await validateFile(file, format);
      console.log(`${file}: ${rows} valid ${format} rows`);
    } catch (err) {
      if (!(err instanceof DataErrors)) throw err;
      console.error(err.message);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

function fileList(values: string[]): string[] {
  return values.flatMap((v) => v.split(",")).filter((f) => f !== "");
}

async function prompts(file: string): Promise<{ format: Format; rows: AsyncIterable<{ row: number; id: string; text: string }> }> {
  const format = await detectFormat(file);
  async function* rows() {
    let n = 0;
    for await (const row of readJsonl(file, format)) yield { row: ++n, id: row.id, text: promptOf(format, row) };
  }
  return { format, rows: rows() };
}

async function checkContamination(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: "string", multiple: true, default: [] },
      eval: { type: "string", multiple: true, default: [] },
      n: { type: "string", default: "8" },
      threshold: { type: "string", default: "0.5" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(USAGE), 0;
  const trainFiles = fileList(values.train), evalFiles = fileList(values.eval);
  if (trainFiles.length === 0 || evalFiles.length === 0) throw new PosttrainError("data check-contamination: give --train and --eval files");
  const n = integer("--n", values.n);
  const threshold = Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new PosttrainError(`--threshold must be in [0, 1], got '${values.threshold}'`);
  const evalPrompts: EvalPrompt[] = [];
  for (const file of evalFiles) {
    for await (const r of (await prompts(file)).rows) evalPrompts.push({ where: `${file} row ${r.row}`, id: r.id, text: r.text });
  }
  const index = new ContaminationIndex(evalPrompts, n);
  for (const file of trainFiles) for await (const r of (await prompts(file)).rows) index.addTrain(r.text);
  const summary = summarizeContamination(index, threshold);
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    console.log(`train: ${trainFiles.length} file(s), ${summary.trainTexts} texts; eval: ${evalFiles.length} file(s), ${summary.evalPrompts} prompts`);
    console.log(`exact leaks (normalised eval prompt found in training data): ${summary.exact.length}`);
    for (const e of summary.exact.slice(0, 20)) console.log(`  ${e.where} ${e.id}: ${JSON.stringify(e.text.slice(0, 120))}`);
    console.log(`${n}-gram overlap: mean ${(100 * summary.meanOverlap).toFixed(1)}%, ${summary.contaminated} of ${summary.evalPrompts} prompts at or above ${threshold}`);
    for (const w of summary.worst) console.log(`  ${(100 * w.overlap).toFixed(0)}% ${w.where} ${w.id}: ${JSON.stringify(w.text.slice(0, 120))}`);
  }
  return summary.exact.length > 0 ? 1 : 0;
}
