/**
 * Assembles the world's splits from the task generators: text corpora for pretraining and annealing, and train
 * and eval files for SFT, preference tuning and RLVR. Each split draws from its own seeded stream, so changing one
 * split's size leaves the others byte for byte the same.
 *
 * Two guarantees are enforced here and fail generation when broken (a generator bug):
 * - every answer is checked by the verifiers: correct replies must pass, rejected ones must fail;
 * - no eval prompt (normalised) equals or appears inside any training prompt or text.
 */
import { Rng } from "../../rng.js";
import { ContaminationIndex, summarizeContamination, type ContaminationSummary, type EvalPrompt } from "../contamination.js";
import { promptOf, type Format, type Message, type PreferenceRow, type RlvrRow, type SftRow, type TextRow, type VerifierName } from "../formats.js";
import { ifevalGroundTruth, verifierSpec, type VerifierSpec } from "../spec.js";
import { chatItem } from "./chat.js";
import { corpus } from "./corpus.js";
import { gsmItem } from "./gsm.js";
import { ifevalItem } from "./ifeval.js";
import { fnv1a, verifierOf, type Split, type TaskItem, type TaskKind } from "./item.js";
import { mathItem } from "./math.js";

export interface WorldSizes {
  /** Characters of text in each corpus. */
  pretrainChars: number;
  annealChars: number;
  /** Rows in each split. */
  sftTrain: number;
  sftEval: number;
  prefsTrain: number;
  prefsEval: number;
  rlvrTrain: number;
  rlvrEval: number;
  /** Held-out chat prompts only (SFT format), for the EOS rate. */
  chatEval: number;
}

export const SIZES = {
  tiny: { pretrainChars: 20_000, annealChars: 10_000, sftTrain: 60, sftEval: 20, prefsTrain: 40, prefsEval: 20, rlvrTrain: 40, rlvrEval: 20, chatEval: 20 },
  small: { pretrainChars: 200_000, annealChars: 100_000, sftTrain: 600, sftEval: 100, prefsTrain: 400, prefsEval: 80, rlvrTrain: 400, rlvrEval: 100, chatEval: 50 },
  default: { pretrainChars: 1_000_000, annealChars: 500_000, sftTrain: 3000, sftEval: 300, prefsTrain: 2000, prefsEval: 250, rlvrTrain: 8000, rlvrEval: 300, chatEval: 100 },
  large: { pretrainChars: 4_000_000, annealChars: 2_000_000, sftTrain: 12000, sftEval: 600, prefsTrain: 8000, prefsEval: 500, rlvrTrain: 8000, rlvrEval: 600, chatEval: 200 },
} as const satisfies Record<string, WorldSizes>;

export type SizeName = keyof typeof SIZES;

/** Decides whether `response` is correct for `spec` (the verifiers' `verify(...).correct`). */
export type Checker = (verifier: VerifierName, response: string, spec: VerifierSpec) => boolean;

export interface WorldFile {
  name: string;
  format: Format;
  split: Split;
  purpose: string;
  rows: (SftRow | PreferenceRow | RlvrRow | TextRow)[];
}

/**
 * Share of each task kind per split family; gsm8k is further split 40/35/25 over difficulties 1/2/3. SFT carries
 * few worked arithmetic solutions (450 of 3,000) and RLVR many arithmetic prompts (4,000): SFT teaches the answer
 * format, RLVR most of the arithmetic. With 1,050 solutions a 3-epoch SFT of the tiny preset already reached the
 * GSM accuracy RLVR tops out at for that model (about 65%), and RLVR added at most 5 points.
 */
const MIX: Record<"sft" | "prefs" | "rlvr", Partial<Record<TaskKind, number>>> = {
  sft: { gsm8k: 0.15, math: 0.25, ifeval: 0.3, chat: 0.3 },
  prefs: { gsm8k: 0.35, math: 0.2, ifeval: 0.3, chat: 0.15 },
  rlvr: { gsm8k: 0.5, math: 0.25, ifeval: 0.25 },
};
const GSM_DIFFICULTY = { 1: 0.4, 2: 0.35, 3: 0.25 } as const;

/** Exactly proportional counts (largest remainder), in a seeded random order. */
export function plan<K extends string | number>(rng: Rng, n: number, weights: Partial<Record<K, number>>): K[] {
  const entries = Object.entries(weights) as [string, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const exact = entries.map(([k, w]) => ({ k, count: Math.floor((n * w) / total), rest: (n * w) / total - Math.floor((n * w) / total) }));
  let left = n - exact.reduce((s, e) => s + e.count, 0);
  for (const e of [...exact].sort((a, b) => b.rest - a.rest)) if (left-- > 0) e.count++;
  const out = exact.flatMap((e) => Array.from({ length: e.count }, () => e.k));
  const numeric = entries.every(([k]) => /^\d+$/.test(k));
  return rng.shuffle(out).map((k) => (numeric ? Number(k) : k)) as K[];
}

function taskItems(rng: Rng, split: Split, n: number, mix: Partial<Record<TaskKind, number>>): TaskItem[] {
  const kinds = plan<TaskKind>(rng, n, mix);
  const difficulties = plan<1 | 2 | 3>(rng, kinds.filter((k) => k === "gsm8k").length, GSM_DIFFICULTY);
  return kinds.map((kind) => {
    switch (kind) {
      case "gsm8k":
        return gsmItem(rng, split, difficulties.pop()!);
      case "math":
        return mathItem(rng, split);
      case "ifeval":
        return ifevalItem(rng, split);
      case "chat":
        return chatItem(rng, split);
    }
  });
}

function itemSpec(item: TaskItem): VerifierSpec {
  if (item.ifeval) return { ...item.ifeval, prompt: item.messages[item.messages.length - 1]!.content };
  return { ground_truth: item.groundTruth! };
}

/** The verifier check of one item: its reply must pass and its rejected reply must fail. */
export function checkItem(item: TaskItem, check: Checker, where: string): void {
  const verifier = verifierOf(item.kind);
  if (!verifier) return;
  const spec = itemSpec(item);
  if (!check(verifier, item.response, spec)) {
    throw new Error(`${where}: the ${verifier} verifier rejects a generated correct reply (generator bug)\n` + `prompt: ${JSON.stringify(item.messages)}\nreply: ${JSON.stringify(item.response)}\nspec: ${JSON.stringify(spec)}`);
  }
  if (check(verifier, item.rejected, spec)) {
    throw new Error(`${where}: the ${verifier} verifier accepts a generated ${item.rejectedKind} reply (generator bug)\n` + `prompt: ${JSON.stringify(item.messages)}\nrejected: ${JSON.stringify(item.rejected)}\nspec: ${JSON.stringify(spec)}`);
  }
}

const assistant = (content: string): Message => ({ role: "assistant", content });
const pad = (i: number) => String(i + 1).padStart(5, "0");

function sftRow(id: string, it: TaskItem): SftRow {
  const row: SftRow = { id, messages: [...it.messages, assistant(it.response)], source: `world/${it.kind}` };
  if (it.difficulty !== undefined) row.difficulty = it.difficulty;
  return row;
}

function prefRow(id: string, it: TaskItem): PreferenceRow {
  const prompt = it.messages.find((m) => m.role === "user")!.content;
  return { id, prompt, chosen: [...it.messages, assistant(it.response)], rejected: [...it.messages, assistant(it.rejected)], source: `world/${it.kind}/${it.rejectedKind}` };
}

function rlvrRow(id: string, it: TaskItem, check: Checker): RlvrRow {
  const dataset = verifierOf(it.kind)!;
  const groundTruth = it.ifeval ? ifevalGroundTruth(it.ifeval.instruction_id_list, it.ifeval.kwargs) : it.groundTruth!;
  const row: RlvrRow = { id, messages: it.messages, ground_truth: groundTruth, dataset };
  if (it.difficulty !== undefined) row.difficulty = it.difficulty;
  // The row's own ground truth, read back as consumers will, must accept the reference reply.
  if (!check(dataset, it.response, verifierSpec(row))) throw new Error(`${id}: ground truth ${JSON.stringify(groundTruth)} rejects its reference reply (generator bug)`);
  return row;
}

/** A split's own random stream: seed and split name hashed together. */
function streamFor(seed: number, name: string): Rng {
  return new Rng(fnv1a(`${seed}|${name}`));
}

export interface World {
  files: WorldFile[];
  /** Eval prompts against all training data (exact leaks are always none: they fail generation). */
  contamination: ContaminationSummary;
}

/** Generate every split of the world, check it with the verifiers and for leakage. Deterministic in (seed, sizes). */
export function buildWorld(seed: number, sizes: WorldSizes, check: Checker): World {
  const files: WorldFile[] = [];
  for (const [name, chars, purpose] of [
    ["pretrain", sizes.pretrainChars, "Stage 1 pretraining text: profiles, facts, stories, worked arithmetic, some Q&A."],
    ["anneal", sizes.annealChars, "Stage 2 mid-training (anneal) text: richer in worked problems and Q&A."],
  ] as const) {
    const { texts, items } = corpus(streamFor(seed, name), name, chars);
    items.forEach((it, i) => checkItem(it, check, `${name} quote ${i + 1}`));
    files.push({ name, format: "text", split: "train", purpose, rows: texts.map((text, i) => ({ id: `${name}-${pad(i)}`, text, source: `world/${name}` })) });
  }
  const families = [
    ["sft", "sft", sizes.sftTrain, sizes.sftEval, "SFT on assistant turns: arithmetic, MATH-style, IFEval-style and chat.", sftRow],
    ["prefs", "preference", sizes.prefsTrain, sizes.prefsEval, "DPO pairs: chosen correct and compliant; rejected wrong, cut off, non-compliant or rambling.", prefRow],
    ["rlvr", "rlvr", sizes.rlvrTrain, sizes.rlvrEval, "RLVR prompts with verifier ground truths (gsm8k, math, ifeval).", null],
  ] as const;
  for (const [family, format, trainCount, evalCount, purpose, toRow] of families) {
    for (const [split, count] of [["train", trainCount], ["eval", evalCount]] as const) {
      const name = `${family}-${split}`;
      const items = taskItems(streamFor(seed, name), split, count, MIX[family]);
      const rows = items.map((it, i) => {
        const id = `${name}-${pad(i)}`;
        checkItem(it, check, id);
        return toRow ? toRow(id, it) : rlvrRow(id, it, check);
      });
      const use = split === "eval" ? `Held-out evaluation for ${family}: no prompt is shared with any training file.` : purpose;
      files.push({ name, format, split, purpose: use, rows });
    }
  }
  const chat = taskItems(streamFor(seed, "chat-eval"), "eval", sizes.chatEval, { chat: 1 });
  const purpose = "Held-out chat prompts only (greetings, questions about the world): EOS rate and reply length.";
  files.push({ name: "chat-eval", format: "sft", split: "eval", purpose, rows: chat.map((it, i) => sftRow(`chat-eval-${pad(i)}`, it)) });
  return { files, contamination: assertNoLeakage(files) };
}

/** Throws when a normalised eval prompt equals or appears inside a training prompt or text; else the n-gram report. */
export function assertNoLeakage(files: WorldFile[]): ContaminationSummary {
  const evalPrompts: EvalPrompt[] = files
    .filter((f) => f.split === "eval")
    .flatMap((f) => f.rows.map((r, i) => ({ where: `${f.name}.jsonl:${i + 1}`, id: r.id, text: promptOf(f.format, r) })));
  const index = new ContaminationIndex(evalPrompts);
  for (const f of files.filter((x) => x.split === "train")) for (const r of f.rows) index.addTrain(promptOf(f.format, r));
  const summary = summarizeContamination(index);
  const leaks = summary.exact;
  if (leaks.length > 0) {
    throw new Error(`world generator: ${leaks.length} eval prompt(s) leak into training data (generator bug), e.g. ${leaks.slice(0, 3).map((l) => `${l.where} ${JSON.stringify(l.text)}`).join("; ")}`);
  }
  return summary;
}
