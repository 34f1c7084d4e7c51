/**
 * RLVR data: rows ({id, messages, ground_truth, dataset}) with their prompts tokenized by the run's chat
 * template (generation prompt appended), and held-out evaluation through the eval stage's generate-and-verify.
 */
import { basename } from "node:path";
import { readAll, type RlvrRow } from "../data/index.js";
import { PosttrainError } from "../errors.js";
import { evaluateModel, type SampleRecord, type SetScores } from "../eval/index.js";
import type { Olmo2Model } from "../model/index.js";
import type { EvalStage, RlvrStage } from "../recipe/index.js";
import type { Tokenizer } from "../tokenizer/index.js";
import { resolveVerifier } from "../verifiers/index.js";

export interface RlvrPrompt {
  row: RlvrRow;
  /** The chat-templated prompt ids, ending with the assistant header. */
  ids: number[];
}

/**
 * Every row of `files`, tokenized; with `datasets`, only the rows whose verifier is one of them. Rows whose
 * prompt leaves no room for `maxResponseLength` new tokens in the model's context are dropped (counted); an
 * unknown `dataset` is an error naming the file and row.
 */
export async function rlvrPrompts(
  files: readonly string[],
  tokenizer: Tokenizer,
  limits: { maxContext: number; maxResponseLength: number; datasets?: readonly string[] | null },
): Promise<{ prompts: RlvrPrompt[]; dropped: number }> {
  const prompts: RlvrPrompt[] = [];
  const wanted: Set<string> | null = limits.datasets ? new Set(limits.datasets.map((d) => resolveVerifier(d))) : null;
  let dropped = 0;
  for (const file of files) {
    const rows = await readAll(file, "rlvr");
    rows.forEach((row, i) => {
      let verifier: string;
      try {
        verifier = resolveVerifier(row.dataset);
      } catch (err) {
        throw new PosttrainError(`${file}: row ${i + 1} (id ${row.id}): dataset: ${(err as Error).message}`);
      }
      if (wanted && !wanted.has(verifier)) return;
      const ids = tokenizer.encodePrompt(row.messages);
      if (ids.length + limits.maxResponseLength > limits.maxContext) dropped++;
      else prompts.push({ row, ids });
    });
  }
  return { prompts, dropped };
}

export interface HeldOutScores {
  /** Accuracy per verifier over all held-out files. */
  accuracy: Record<string, number>;
  eos_rate: number;
  mean_length: number;
  n: number;
  /** Scores per file (named by the file's base name). */
  sets: Record<string, SetScores>;
}

/** Held-out scores with the generations they were computed from (prompt, response, verdict per row). */
export interface HeldOutResult {
  scores: HeldOutScores;
  samples: SampleRecord[];
}

/** Greedy answers to the held-out prompts, scored by the verifiers (the eval stage's evaluateModel). */
export async function heldOutEval(model: Olmo2Model, tokenizer: Tokenizer, config: RlvrStage, batchSize: number, seed: number): Promise<HeldOutResult> {
  const files = config.eval_data ?? [];
  const evalConfig: EvalStage = {
    kind: "eval",
    name: `${config.name}-heldout`,
    from: null,
    sets: files.map((path, i) => ({ name: files.length > 1 ? `${i}-${basename(path)}` : basename(path), path, format: "rlvr", limit: config.eval_limit })),
    max_new_tokens: config.max_response_length,
    temperature: 0,
    top_p: 1,
    batch_size: batchSize,
    verifier_timeout_s: config.verifier_timeout_s,
  };
  const { samples, sets, overall } = await evaluateModel(model, tokenizer, evalConfig, seed);
  return { scores: { accuracy: overall.accuracy, eos_rate: overall.eos_rate, mean_length: overall.mean_length, n: overall.n, sets }, samples };
}

/** Metrics-row columns for held-out scores: eval/<verifier>_accuracy, eval/eos_rate, eval/mean_length. */
export function heldOutColumns(scores: HeldOutScores): Record<string, number> {
  const columns: Record<string, number> = { "eval/eos_rate": scores.eos_rate, "eval/mean_length": scores.mean_length };
  for (const [verifier, acc] of Object.entries(scores.accuracy)) columns[`eval/${verifier}_accuracy`] = acc;
  return columns;
}
