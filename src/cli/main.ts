#!/usr/bin/env node
/**
 * `posttrain <command> ...`: dispatch only. Each command lives in its own file, exports
 * `main(argv: string[]): Promise<number>` (the exit code) and does its own parsing with node:util parseArgs.
 */
import { PosttrainError } from "../errors.js";

const COMMANDS: Record<string, { file: string; help: string }> = {
  init: { file: "./init.js", help: "write a randomly initialised model (HF format)" },
  generate: { file: "./generate.js", help: "generate from a model folder" },
  verify: { file: "./verify.js", help: "score JSONL responses with the verifiers" },
  tokenizer: { file: "./tokenizer.js", help: "train a BPE tokenizer, or encode text with one" },
  data: { file: "./data.js", help: "generate the synthetic datasets, check contamination, validate files" },
  run: { file: "./run.js", help: "run a recipe into a run folder" },
  validate: { file: "./validate.js", help: "validate a recipe without running it" },
  prefs: { file: "./prefs.js", help: "make on-policy preference pairs ranked by the verifiers" },
  chat: { file: "./chat.js", help: "chat with an exported model" },
  report: { file: "./report.js", help: "write a run folder's results table and report.html" },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`);
  return `usage: posttrain <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun 'posttrain <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`posttrain: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(command.file)) as { main(argv: string[]): Promise<number> };
  return mod.main(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof PosttrainError) {
      console.error(`posttrain: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  },
);
