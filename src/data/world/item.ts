/**
 * What every task generator returns, and how train and eval stay apart.
 *
 * Every prompt is a template filled with names, objects and numbers. Numbers are normalised away by the leakage
 * check, so eval prompts must differ from training prompts in their words: a generator names the words that make
 * its prompt (template, names, objects) in `key`, and a fixed share of keys is eval-only. Training never draws
 * an eval key, so after normalisation no eval prompt can equal a training prompt.
 */
import type { Message, VerifierName } from "../formats.js";

export type Split = "train" | "eval";
export type TaskKind = "gsm8k" | "math" | "ifeval" | "chat";

export interface IfevalSpec {
  instruction_id_list: string[];
  kwargs: Record<string, unknown>[];
}

export interface TaskItem {
  kind: TaskKind;
  /** The words that make the prompt, numbers aside (see above). */
  key: string;
  /** Prompt turns, ending with the user's. */
  messages: Message[];
  /** The correct, compliant assistant reply. */
  response: string;
  /** A dispreferred reply, and how it fails. */
  rejected: string;
  rejectedKind: "wrong" | "truncated" | "noncompliant" | "rambling";
  /** gsm8k and math: the bare answer; ifeval: the instructions (ground truth is their JSON). */
  groundTruth?: string;
  ifeval?: IfevalSpec;
  difficulty?: number;
}

/** The verifier that checks a kind, if any (chat has none). */
export function verifierOf(kind: TaskKind): VerifierName | undefined {
  return kind === "chat" ? undefined : kind;
}

/** 32-bit FNV-1a: a fixed hash so the train/eval partition never changes between versions of Node. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** One key in EVAL_SHARE goes to eval. */
const EVAL_SHARE = 6;

export function splitOfKey(key: string): Split {
  return fnv1a(key) % EVAL_SHARE === 0 ? "eval" : "train";
}

/**
 * Draw items until one lands in the wanted split. Each draw is cheap and about one in EVAL_SHARE keys is eval,
 * so this ends quickly; the cap only guards against a generator whose keys never reach a split.
 */
export function drawInSplit(split: Split, draw: () => TaskItem): TaskItem {
  for (let tries = 0; tries < 1000; tries++) {
    const item = draw();
    if (splitOfKey(item.key) === split) return item;
  }
  throw new Error(`world generator: no ${split} key after 1000 draws (${draw.name || "anonymous generator"})`);
}
