/**
 * DPO data: preference rows rendered with the chat template into (prompt, response) token ids for the chosen
 * and the rejected conversation, truncated as TRL does, and batched as one [2B, T] batch (the B chosen rows,
 * then the B rejected rows) so one forward pass serves both halves of every pair.
 *
 * The response is the final assistant turn exactly as the template's assistant mask marks it (content and
 * closing EOS); every token before it is prompt. Deriving the split from the rendered template's mask rather
 * than from a second render of the prompt means BPE merges across the boundary cannot misplace it.
 */
import { indexCursor, padBatch, readAll, type Batch, type Message, type PreferenceRow } from "../data/index.js";
import { PosttrainError } from "../errors.js";
import type { DataCursor } from "../recipe/index.js";

/** The part of the tokenizer DPO needs (src/tokenizer's Tokenizer fits it). */
export interface ChatEncoder {
  encodeChat(messages: Message[]): { input_ids: number[]; assistant_mask: number[] };
}

/** One side of a pair: prompt then response ids; tokens from `promptLength` on are the response. */
export interface TokenizedResponse {
  ids: number[];
  promptLength: number;
}

export interface TokenizedPair {
  id: string;
  chosen: TokenizedResponse;
  rejected: TokenizedResponse;
}

export interface PairLimits {
  /** Prompt + response tokens kept (the response is cut at the right). */
  maxLength: number;
  /** Prompt tokens kept, cut from the left (the end of the prompt, next to the response, is what matters). */
  maxPromptLength: number;
}

/**
 * The last assistant turn of a rendered conversation: `start..end` is the last run of mask 1s.
 * Returns null when no token is marked.
 */
export function lastAssistantSpan(mask: readonly number[]): { start: number; end: number } | null {
  let end = mask.length;
  while (end > 0 && mask[end - 1] !== 1) end--;
  if (end === 0) return null;
  let start = end;
  while (start > 0 && mask[start - 1] === 1) start--;
  return { start, end };
}

/**
 * TRL's truncation: the prompt keeps its last `maxPromptLength` tokens, then prompt + response are cut to
 * `maxLength` from the right (so a long response loses its end, EOS included).
 */
export function truncateResponse(prompt: readonly number[], response: readonly number[], limits: PairLimits): TokenizedResponse {
  const keptPrompt = prompt.slice(Math.max(0, prompt.length - limits.maxPromptLength));
  const ids = [...keptPrompt, ...response].slice(0, limits.maxLength);
  return { ids, promptLength: keptPrompt.length };
}

/** Tokenize one side; a string says why it cannot be used. */
function tokenizeSide(messages: Message[], tokenizer: ChatEncoder, limits: PairLimits): TokenizedResponse | string {
  const { input_ids, assistant_mask } = tokenizer.encodeChat(messages);
  const span = lastAssistantSpan(assistant_mask);
  if (span === null) return "no assistant token";
  const side = truncateResponse(input_ids.slice(0, span.start), input_ids.slice(span.start, span.end), limits);
  // Position 0 is never a target (nothing precedes it), so a response needs a prompt token before it.
  if (side.promptLength === 0) return "empty prompt";
  if (side.ids.length <= side.promptLength) return "no response token within max_length";
  return side;
}

/** A preference row as token ids, or the reason it has to be dropped. */
export function tokenizePair(row: PreferenceRow, tokenizer: ChatEncoder, limits: PairLimits): TokenizedPair | string {
  const chosen = tokenizeSide(row.chosen, tokenizer, limits);
  if (typeof chosen === "string") return `chosen: ${chosen}`;
  const rejected = tokenizeSide(row.rejected, tokenizer, limits);
  if (typeof rejected === "string") return `rejected: ${rejected}`;
  return { id: row.id, chosen, rejected };
}

/** Every usable pair of `files`, in file order, and how many rows were dropped (with one example reason). */
export async function preferencePairs(
  files: readonly string[],
  tokenizer: ChatEncoder,
  limits: PairLimits,
): Promise<{ pairs: TokenizedPair[]; dropped: number; firstDropReason: string | null }> {
  if (limits.maxPromptLength >= limits.maxLength) {
    throw new PosttrainError(`max_prompt_length ${limits.maxPromptLength} leaves no room for a response within max_length ${limits.maxLength}`);
  }
  const pairs: TokenizedPair[] = [];
  let dropped = 0;
  let firstDropReason: string | null = null;
  for (const file of files) {
    for (const row of await readAll(file, "preference")) {
      const pair = tokenizePair(row, tokenizer, limits);
      if (typeof pair !== "string") {
        pairs.push(pair);
        continue;
      }
      dropped++;
      firstDropReason ??= `${file}: row ${row.id}: ${pair}`;
    }
  }
  return { pairs, dropped, firstDropReason };
}

/**
 * One [2B, T] batch: row i is pairs[i].chosen and row B + i is pairs[i].rejected, right-padded; the loss mask
 * marks response tokens.
 */
export function pairBatch(pairs: readonly TokenizedPair[], padId: number): Batch {
  const sides = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  return padBatch(
    sides.map((s) => ({ input_ids: s.ids, mask: s.ids.map((_, t) => (t >= s.promptLength ? 1 : 0)) })),
    { padId },
  );
}

/** Response tokens per row of a batch after the causal shift (targets are positions 1..T-1). */
export function responseTokenCounts(batch: Batch): number[] {
  const counts: number[] = [];
  for (let b = 0; b < batch.batchSize; b++) {
    let n = 0;
    for (let t = 1; t < batch.length; t++) n += batch.lossMask[b * batch.length + t]!;
    counts.push(n);
  }
  return counts;
}

/** A micro-batch of pairs: the [2B, T] batch and the pairs' indices (for their cached reference log-probs). */
export interface PairMicroBatch {
  batch: Batch;
  indices: number[];
}

/** Optimizer steps for `epochs` passes (as sftTotalSteps: update steps per epoch = batches // G, at least 1). */
export function dpoTotalSteps(
  pairs: number,
  config: { batch_size: number; gradient_accumulation_steps: number; epochs: number; max_steps: number | null },
): number {
  const batchesPerEpoch = Math.ceil(pairs / config.batch_size);
  const stepsPerEpoch = Math.max(1, Math.floor(batchesPerEpoch / config.gradient_accumulation_steps));
  const steps = Math.ceil(config.epochs * stepsPerEpoch);
  return config.max_steps === null ? steps : Math.min(steps, config.max_steps);
}

/** Micro-batches of pairs in a seeded order per epoch; `position()` continues exactly after a resume. */
export function pairCursor(
  pairs: readonly TokenizedPair[],
  o: { batchSize: number; seed: number; padId: number; start: unknown },
): DataCursor<PairMicroBatch> {
  const cursor = indexCursor(pairs.length, o.batchSize, o.seed, o.start);
  return {
    next() {
      const indices = cursor.next();
      return { batch: pairBatch(indices.map((i) => pairs[i]!), o.padId), indices };
    },
    position: () => cursor.position(),
  };
}

/** Consecutive micro-batches over all pairs in file order (evaluation and reference log-probs). */
export function* inOrder(pairs: readonly TokenizedPair[], batchSize: number, padId: number): Generator<PairMicroBatch> {
  for (let start = 0; start < pairs.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, pairs.length - start) }, (_, k) => start + k);
    yield { batch: pairBatch(indices.map((i) => pairs[i]!), padId), indices };
  }
}
