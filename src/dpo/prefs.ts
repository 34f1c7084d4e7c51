/**
 * `posttrain prefs`: sample n completions per RLVR prompt with the model's chat template, score each with
 * the verifier the row names, and keep one (correct, incorrect) pair per prompt that has both (pairs.ts).
 */
import { verifierSpec, type Message, type PreferenceRow, type RlvrRow } from "../data/index.js";
import { generate, type Olmo2Model } from "../model/index.js";
import { Rng } from "../rng.js";
import { verify } from "../verifiers/index.js";
import { onPolicyPair, type ScoredSample } from "./pairs.js";

/** The part of the tokenizer sampling needs (src/tokenizer's Tokenizer fits it). */
export interface PromptTokenizer {
  encodePrompt(messages: Message[]): number[];
  decode(ids: number[]): string;
  eosId: number;
}

export interface PrefsOptions {
  /** Completions per prompt. */
  n: number;
  temperature: number;
  maxNewTokens: number;
  seed: number;
  /** Prompts generated together (each with its n samples). */
  promptsPerBatch: number;
  verifierTimeoutMs: number;
  /** The pairs' `source` field. */
  source: string;
}

export interface PrefsStats {
  prompts: number;
  samples: number;
  correct: number;
  pairs: number;
  /** Prompts whose samples were all correct / all incorrect (no pair possible). */
  allCorrect: number;
  allIncorrect: number;
}

export async function onPolicyPreferences(
  model: Olmo2Model,
  tokenizer: PromptTokenizer,
  rows: readonly RlvrRow[],
  o: PrefsOptions,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<{ pairs: PreferenceRow[]; stats: PrefsStats }> {
  const rng = new Rng(o.seed);
  const pairs: PreferenceRow[] = [];
  const stats: PrefsStats = { prompts: rows.length, samples: 0, correct: 0, pairs: 0, allCorrect: 0, allIncorrect: 0 };
  for (let start = 0; start < rows.length; start += o.promptsPerBatch) {
    const batch = rows.slice(start, start + o.promptsPerBatch);
    const prompts = batch.flatMap((row) => Array.from({ length: o.n }, () => tokenizer.encodePrompt(row.messages)));
    const out = await generate(model, prompts, {
      maxNewTokens: o.maxNewTokens,
      temperature: o.temperature,
      rng,
      eosTokenId: tokenizer.eosId,
    });
    batch.forEach((row, r) => {
      const samples: ScoredSample[] = [];
      for (let k = 0; k < o.n; k++) {
        const i = r * o.n + k;
        const endedWithEos = out.finishReasons[i] === "eos";
        const ids = endedWithEos ? out.outputIds[i]!.slice(0, -1) : out.outputIds[i]!;
        const text = tokenizer.decode(ids);
        const { correct } = verify(row.dataset, text, verifierSpec(row), { timeBudgetMs: o.verifierTimeoutMs });
        samples.push({ text, correct, endedWithEos, length: ids.length });
      }
      const nCorrect = samples.filter((s) => s.correct).length;
      stats.samples += samples.length;
      stats.correct += nCorrect;
      if (nCorrect === samples.length) stats.allCorrect++;
      if (nCorrect === 0) stats.allIncorrect++;
      const pair = onPolicyPair(row, samples, o.source);
      if (pair) pairs.push(pair);
    });
    onProgress(Math.min(rows.length, start + batch.length), rows.length);
  }
  stats.pairs = pairs.length;
  return { pairs, stats };
}
