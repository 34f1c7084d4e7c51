/**
 * The eval stage: generate answers (greedy by default) to held-out prompts and score them with the
 * verifiers. Writes `generations.jsonl` (one line per sample: prompt, response, verdict) and `results.json`
 * (scores per set and over all sets) into the stage folder; the summary carries the headline numbers.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../checkpoint/index.js";
import { readAll, verifierSpec, type Message, type RlvrRow } from "../data/index.js";
import { generate, type Olmo2Model } from "../model/index.js";
import { writeJsonAtomic, type EvalSet, type EvalStage } from "../recipe/index.js";
import type { StageContext, StageResult } from "../recipe/index.js";
import type { Progress } from "../train/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import { verify } from "../verifiers/index.js";
import { scoreSamples, type SampleRecord, type SetScores } from "./metrics.js";

/** Chat-template role tokens: one inside an answer means the model started another turn. */
const ROLE_MARKERS = ["<|user|>", "<|assistant|>", "<|system|>"];

interface EvalPrompt {
  id: string;
  messages: Message[];
  /** The RLVR row (verifier name and ground truth), or null for prompts without one. */
  row: RlvrRow | null;
}

/** The prompts of one set: RLVR rows as they are; SFT rows up to (not including) their last assistant turn. */
async function promptsOf(set: EvalSet): Promise<EvalPrompt[]> {
  const prompts: EvalPrompt[] =
    set.format === "rlvr"
      ? (await readAll(set.path, "rlvr")).map((row) => ({ id: row.id, messages: row.messages, row }))
      : (await readAll(set.path, "sft")).map((r) => {
          const lastAssistant = r.messages.map((m) => m.role).lastIndexOf("assistant");
          const messages = lastAssistant > 0 ? r.messages.slice(0, lastAssistant) : r.messages;
          return { id: r.id, messages, row: null };
        });
  return set.limit === null ? prompts : prompts.slice(0, set.limit);
}

function judge(prompt: EvalPrompt, response: string, timeoutS: number): Pick<SampleRecord, "correct" | "ifeval"> {
  if (prompt.row === null) return { correct: null };
  const result = verify(prompt.row.dataset, response, verifierSpec(prompt.row), { timeBudgetMs: timeoutS * 1000 });
  const d = result.details as { follow_instruction_list?: boolean[]; loose?: { follow_instruction_list?: boolean[] } };
  if (d.follow_instruction_list && d.loose?.follow_instruction_list) {
    return { correct: result.correct, ifeval: { strict: d.follow_instruction_list, loose: d.loose.follow_instruction_list } };
  }
  return { correct: result.correct };
}

/** Generate and score every prompt of every set of `config` with `model`. */
export async function evaluateModel(
  model: Olmo2Model,
  tokenizer: Tokenizer,
  config: EvalStage,
  seed: number,
  onBatch: (done: number, total: number) => void = () => {},
): Promise<{ samples: SampleRecord[]; sets: Record<string, SetScores>; overall: SetScores }> {
  const samples: SampleRecord[] = [];
  const all = await Promise.all(config.sets.map(async (set) => ({ set, prompts: await promptsOf(set) })));
  const total = all.reduce((n, s) => n + s.prompts.length, 0);
  for (const { set, prompts } of all) {
    for (let start = 0; start < prompts.length; start += config.batch_size) {
      const batch = prompts.slice(start, start + config.batch_size);
      const promptIds = batch.map((p) => tokenizer.encodePrompt(p.messages));
      const out = await generate(model, promptIds, {
        maxNewTokens: config.max_new_tokens,
        temperature: config.temperature,
        topP: config.top_p,
        seed: seed + start,
        eosTokenId: tokenizer.eosId,
      });
      batch.forEach((prompt, i) => {
        const ids = out.outputIds[i]!;
        const endedWithEos = out.finishReasons[i] === "eos";
        const answer = endedWithEos ? ids.slice(0, -1) : ids;
        const response = tokenizer.decode(answer);
        samples.push({
          set: set.name,
          id: prompt.id,
          verifier: prompt.row?.dataset ?? null,
          ...(prompt.row?.difficulty !== undefined ? { difficulty: prompt.row.difficulty } : {}),
          prompt: prompt.messages[prompt.messages.length - 1]?.content ?? "",
          response,
          length: answer.length,
          endedWithEos,
          leftTurn: ROLE_MARKERS.some((marker) => response.includes(marker)),
          ...judge(prompt, response, config.verifier_timeout_s),
        });
      });
      onBatch(samples.length, total);
    }
  }
  const sets = Object.fromEntries(config.sets.map((s) => [s.name, scoreSamples(samples.filter((x) => x.set === s.name))]));
  return { samples, sets, overall: scoreSamples(samples) };
}

/** Flat headline numbers for tables: eos_rate, in_turn_rate, mean_length, <verifier>_accuracy, ifeval_* . */
export function headline(overall: SetScores): Record<string, number> {
  const flat: Record<string, number> = {
    eos_rate: overall.eos_rate,
    in_turn_rate: overall.in_turn_rate,
    mean_length: overall.mean_length,
  };
  for (const [v, acc] of Object.entries(overall.accuracy)) flat[`${v}_accuracy`] = acc;
  for (const [k, value] of Object.entries(overall.ifeval ?? {})) flat[`ifeval_${k}`] = value;
  return flat;
}

export async function runEval(ctx: StageContext, config: EvalStage): Promise<StageResult> {
  const tokenizer = await Tokenizer.load(ctx.tokenizerDir);
  const model = await loadModel(ctx.inputModelDir);
  try {
    let progress: Progress | null = null;
    const { samples, sets, overall } = await evaluateModel(model, tokenizer, config, ctx.seed, (done, total) => {
      progress ??= ctx.progress(total);
      progress.update({ step: done });
    });
    (progress as Progress | null)?.stop();
    writeFileSync(join(ctx.stageDir, "generations.jsonl"), samples.map((s) => JSON.stringify(s)).join("\n") + "\n");
    const results = { model: ctx.inputModelDir, overall, sets };
    writeJsonAtomic(join(ctx.stageDir, "results.json"), results);
    for (const [name, s] of Object.entries(sets)) {
      ctx.log(`${name}: n ${s.n}, eos ${s.eos_rate.toFixed(3)}, in turn ${s.in_turn_rate.toFixed(3)}, len ${s.mean_length.toFixed(1)}, acc ${JSON.stringify(s.accuracy)}${s.accuracy_by_difficulty ? `, by difficulty ${JSON.stringify(s.accuracy_by_difficulty)}` : ""}`);
    }
    return { summary: { model: ctx.inputModelDir, ...headline(overall) } };
  } finally {
    model.dispose();
  }
}
