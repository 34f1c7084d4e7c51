/**
 * `posttrain chat --model DIR [--system TEXT] [--temperature T] [--max-new-tokens N] ...`: talk to an exported
 * model through its chat template, one line per user turn, the answer streamed token by token as it is
 * generated. Commands: `/reset` (forget the conversation), `/system TEXT` (set the system prompt; `/system`
 * alone clears it), `/exit`. Works on a terminal and with piped stdin: then stdout carries only the answers,
 * one per turn, and notes go to stderr.
 *
 * Each answer gets room for its tokens in the model's context: up to --max-new-tokens, but at most half the
 * context (a model exported with max_new_tokens equal to its context length would leave no room for a prompt).
 * When the conversation no longer fits, the oldest turns are dropped (the system prompt is kept), as a chat UI
 * with a sliding window does; the answer may then use whatever room is left, up to --max-new-tokens.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { loadModel } from "../checkpoint/index.js";
import { BACKEND_NAMES, describeBackend, initBackendInfo } from "../engine/index.js";
import { eosIds, generate, type Olmo2Model } from "../model/index.js";
import { Tokenizer, type ChatMessage } from "../tokenizer/index.js";
import { checkBackend, isCount, numberOption, parseCommand, UsageError } from "./args.js";

const HELP = `usage: posttrain chat --model DIR [options]

  --model DIR            exported HF-format model folder (with tokenizer files and a chat template)
  --system TEXT          system prompt (default none)
  --temperature T        0 = greedy (default: the folder's generation_config.json, else 0.7)
  --top-p P              nucleus sampling threshold (default 0.95)
  --max-new-tokens N     per answer (default: generation_config.json's max_new_tokens, else 256)
  --seed S               sampling seed of the first turn; turn k uses S + k (default 0)
  --backend B            ${BACKEND_NAMES.join(" | ")} (default auto)

In the chat: type a message and press Enter. /reset forgets the conversation, /system TEXT sets the system
prompt (/system alone clears it), /exit (or end of input) quits.`;

/** Defaults from the folder's generation_config.json (what export wrote), so the model card's settings apply. */
function generationDefaults(dir: string): { temperature: number; maxNewTokens: number } {
  const file = path.join(dir, "generation_config.json");
  const config = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const temperature = config.do_sample === false ? 0 : typeof config.temperature === "number" ? config.temperature : 0.7;
  const maxNewTokens = typeof config.max_new_tokens === "number" ? config.max_new_tokens : 256;
  return { temperature, maxNewTokens };
}

/**
 * The prompt ids for `system` + `turns`, dropping the oldest user/assistant pairs until `reserve` more tokens
 * fit in `context`; null when even the last user message alone does not fit.
 */
function fitPrompt(tokenizer: Tokenizer, system: string | null, turns: ChatMessage[], context: number, reserve: number): { ids: number[]; dropped: number } | null {
  for (let start = 0; start < turns.length; start += 2) {
    const messages: ChatMessage[] = [...(system ? [{ role: "system" as const, content: system }] : []), ...turns.slice(start)];
    const ids = tokenizer.encodePrompt(messages);
    if (ids.length + reserve <= context) return { ids, dropped: start / 2 };
  }
  return null;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    "chat",
    argv,
    {
      model: { type: "string" },
      system: { type: "string" },
      temperature: { type: "string" },
      "top-p": { type: "string" },
      "max-new-tokens": { type: "string" },
      seed: { type: "string" },
      backend: { type: "string", default: "auto" },
    },
    HELP,
    (values) => {
      if (!values.model) throw new UsageError("--model is required");
      if (!existsSync(path.join(values.model, "tokenizer.json"))) throw new UsageError(`${values.model} has no tokenizer.json: chat needs an exported folder`);
      const backend = checkBackend(values.backend);
      const defaults = generationDefaults(values.model);
      return {
        dir: values.model,
        backend,
        temperature: numberOption("temperature", values.temperature, defaults.temperature, (n) => n >= 0),
        topP: numberOption("top-p", values["top-p"], 0.95, (n) => n > 0 && n <= 1),
        maxNewTokens: numberOption("max-new-tokens", values["max-new-tokens"], defaults.maxNewTokens, isCount),
        seed: numberOption("seed", values.seed, 0, Number.isInteger),
      };
    },
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const { dir, backend, ...opts } = parsed.opts;
  console.error(describeBackend(await initBackendInfo(backend)));
  const tokenizer = await Tokenizer.load(dir);
  const model = await loadModel(dir);
  try {
    return await converse(model, tokenizer, values.system ?? null, opts);
  } finally {
    model.dispose();
  }
}

async function converse(
  model: Olmo2Model,
  tokenizer: Tokenizer,
  initialSystem: string | null,
  opts: { temperature: number; topP: number; maxNewTokens: number; seed: number },
): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  const note = (text: string) => console.error(`(${text})`);
  const eosTokenId = [...new Set([...eosIds(model.config), tokenizer.eosId])];
  const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  let system = initialSystem;
  let turns: ChatMessage[] = [];
  let turnIndex = 0;
  if (interactive) {
    console.log("posttrain chat: /reset, /system TEXT, /exit");
    rl.setPrompt("> ");
    rl.prompt();
  }
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === "/exit" || line === "/quit") break;
    if (line === "/reset") {
      turns = [];
      note("conversation reset");
    } else if (line === "/system" || line.startsWith("/system ")) {
      system = line.slice("/system".length).trim() || null;
      note(system ? `system prompt set: ${system}` : "system prompt cleared");
    } else if (line.startsWith("/")) {
      note(`unknown command ${line.split(/\s/)[0]}; commands: /reset, /system TEXT, /exit`);
    } else if (line !== "") {
      const candidate: ChatMessage[] = [...turns, { role: "user", content: line }];
      const context = model.config.max_position_embeddings;
      const reserve = Math.min(opts.maxNewTokens, Math.floor(context / 2));
      const fitted = fitPrompt(tokenizer, system, candidate, context, reserve);
      if (!fitted) {
        note(`message too long: the model's context is ${context} tokens and an answer needs room for ${reserve}`);
      } else {
        if (fitted.dropped > 0) note(`context full: dropped the ${fitted.dropped} oldest exchange(s)`);
        const streamed: number[] = [];
        let printed = "";
        // Decoding the whole answer so far (not token by token) keeps multi-byte characters whole.
        const onToken = (_row: number, id: number) => {
          streamed.push(id);
          const text = decode(streamed);
          if (text.endsWith("\uFFFD")) return; // a character still missing bytes: wait for the next token
          process.stdout.write(text.slice(printed.length));
          printed = text;
        };
        const maxNewTokens = Math.min(opts.maxNewTokens, context - fitted.ids.length);
        const out = await generate(model, [fitted.ids], { ...opts, maxNewTokens, seed: opts.seed + turnIndex, eosTokenId, onToken });
        const answer = decode(out.outputIds[0]!);
        process.stdout.write(answer.slice(printed.length) + "\n");
        if (out.finishReasons[0] === "length") note(`answer cut at ${maxNewTokens} tokens`);
        turns = [...candidate.slice(fitted.dropped * 2), { role: "assistant", content: answer }];
        turnIndex += 1;
      }
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  return 0;
}
