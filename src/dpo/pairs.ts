/**
 * On-policy preference pairs: from n sampled completions of one prompt, each scored by the verifier its row
 * names, one pair (chosen = a verified-correct completion, rejected = an incorrect one). Tülu 3 built its
 * on-policy pairs by sampling its own models and ranking with an LM judge; here the verifier is the judge.
 */
import type { Message, PreferenceRow, RlvrRow } from "../data/index.js";

export interface ScoredSample {
  /** The decoded completion (without the closing EOS). */
  text: string;
  /** The verifier's verdict. */
  correct: boolean;
  /** True when generation stopped on EOS rather than at the token limit. */
  endedWithEos: boolean;
  /** Completion tokens. */
  length: number;
}

/**
 * Which samples make the pair, or null when the prompt has no usable pair.
 *
 * - chosen: a correct sample that ended with EOS (a cut-off answer would teach the model not to stop),
 *   the shortest such one, then the earliest;
 * - rejected: an incorrect sample, preferring one that also ended with EOS (so the pair differs in
 *   correctness rather than in being cut off), then the length closest to the chosen one (so DPO's known
 *   pull towards length is not what the pair teaches), then the earliest.
 */
export function choosePair(samples: readonly ScoredSample[]): { chosen: number; rejected: number } | null {
  const indexed = samples.map((s, i) => ({ s, i }));
  const correct = indexed.filter(({ s }) => s.correct && s.endedWithEos);
  const wrong = indexed.filter(({ s }) => !s.correct);
  if (correct.length === 0 || wrong.length === 0) return null;
  const chosen = correct.reduce((best, x) => (x.s.length < best.s.length ? x : best));
  const rank = (x: { s: ScoredSample }) => [x.s.endedWithEos ? 0 : 1, Math.abs(x.s.length - chosen.s.length)] as const;
  const rejected = wrong.reduce((best, x) => {
    const [a0, a1] = rank(x);
    const [b0, b1] = rank(best);
    return a0 < b0 || (a0 === b0 && a1 < b1) ? x : best;
  });
  return { chosen: chosen.i, rejected: rejected.i };
}

/** The preference row (src/data's format) for one prompt's samples, or null when there is no pair. */
export function onPolicyPair(row: RlvrRow, samples: readonly ScoredSample[], source: string): PreferenceRow | null {
  const pick = choosePair(samples);
  if (pick === null) return null;
  const reply = (text: string): Message[] => [...row.messages, { role: "assistant", content: text }];
  return {
    id: `${row.id}/onpolicy`,
    prompt: row.messages.find((m) => m.role === "user")?.content ?? "",
    chosen: reply(samples[pick.chosen]!.text),
    rejected: reply(samples[pick.rejected]!.text),
    source,
  };
}
