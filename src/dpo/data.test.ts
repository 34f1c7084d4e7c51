import { describe, expect, it } from "vitest";
import type { Message, PreferenceRow } from "../data/index.js";
import { lastAssistantSpan, pairBatch, pairCursor, responseTokenCounts, tokenizePair, truncateResponse, type ChatEncoder } from "./data.js";

/**
 * A stand-in chat template over single-character tokens: BOS 2, then per turn a role token (user 3,
 * assistant 4) and one id per character (10 + code % 50); assistant turns end with EOS 5, and their content
 * and EOS are masked 1.
 */
const fakeTokenizer: ChatEncoder = {
  encodeChat(messages: Message[]) {
    const input_ids = [2];
    const assistant_mask = [0];
    for (const m of messages) {
      const isAssistant = m.role === "assistant";
      input_ids.push(isAssistant ? 4 : 3);
      assistant_mask.push(0);
      for (const ch of m.content) {
        input_ids.push(10 + (ch.charCodeAt(0) % 50));
        assistant_mask.push(isAssistant ? 1 : 0);
      }
      if (isAssistant) {
        input_ids.push(5);
        assistant_mask.push(1);
      }
    }
    return { input_ids, assistant_mask };
  },
};

const row = (user: string, chosen: string, rejected: string, history: Message[] = []): PreferenceRow => ({
  id: "p1",
  prompt: user,
  chosen: [...history, { role: "user", content: user }, { role: "assistant", content: chosen }],
  rejected: [...history, { role: "user", content: user }, { role: "assistant", content: rejected }],
  source: "test",
});

const id = (ch: string) => 10 + (ch.charCodeAt(0) % 50);

describe("pair tokenization", () => {
  it("finds the last assistant turn only", () => {
    expect(lastAssistantSpan([0, 1, 1, 0, 0, 1, 1, 1, 0])).toEqual({ start: 5, end: 8 });
    expect(lastAssistantSpan([0, 0, 1])).toEqual({ start: 2, end: 3 });
    expect(lastAssistantSpan([0, 0])).toBeNull();
  });

  it("splits prompt and response at the final assistant turn; earlier assistant turns are prompt", () => {
    const history: Message[] = [
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
    ];
    const pair = tokenizePair(row("c", "de", "f"), fakeTokenizer, { maxLength: 100, maxPromptLength: 50 });
    expect(pair).toEqual({
      id: "p1",
      chosen: { ids: [2, 3, id("c"), 4, id("d"), id("e"), 5], promptLength: 4 },
      rejected: { ids: [2, 3, id("c"), 4, id("f"), 5], promptLength: 4 },
    });
    const multi = tokenizePair(row("c", "de", "f", history), fakeTokenizer, { maxLength: 100, maxPromptLength: 50 });
    if (typeof multi === "string") throw new Error(multi);
    // BOS, user a, assistant b EOS, user c, assistant | d e EOS
    expect(multi.chosen.ids.slice(0, multi.chosen.promptLength)).toEqual([2, 3, id("a"), 4, id("b"), 5, 3, id("c"), 4]);
    expect(multi.chosen.ids.slice(multi.chosen.promptLength)).toEqual([id("d"), id("e"), 5]);
  });

  it("truncates the prompt from the left, then the whole from the right (TRL)", () => {
    expect(truncateResponse([1, 2, 3, 4, 5], [6, 7, 8], { maxLength: 6, maxPromptLength: 3 })).toEqual({ ids: [3, 4, 5, 6, 7, 8], promptLength: 3 });
    expect(truncateResponse([1, 2, 3, 4, 5], [6, 7, 8], { maxLength: 5, maxPromptLength: 3 })).toEqual({ ids: [3, 4, 5, 6, 7], promptLength: 3 });
    expect(truncateResponse([1, 2], [6, 7, 8], { maxLength: 10, maxPromptLength: 3 })).toEqual({ ids: [1, 2, 6, 7, 8], promptLength: 2 });
  });

  it("drops a pair whose response does not fit, saying which side", () => {
    const long = row("abcdef", "x", "y");
    expect(tokenizePair(long, fakeTokenizer, { maxLength: 5, maxPromptLength: 5 })).toBe("chosen: no response token within max_length");
  });
});

describe("pair batches", () => {
  const pairs = [
    { id: "a", chosen: { ids: [2, 3, 7, 8, 5], promptLength: 2 }, rejected: { ids: [2, 3, 9, 5], promptLength: 2 } },
    { id: "b", chosen: { ids: [2, 6, 3, 4], promptLength: 3 }, rejected: { ids: [2, 6, 3, 11, 12, 13, 5], promptLength: 3 } },
  ];

  it("stacks the chosen rows then the rejected rows, right-padded, with the response mask", () => {
    const batch = pairBatch(pairs, 1);
    expect(batch.batchSize).toBe(4);
    expect(batch.length).toBe(7);
    const row = (r: number) => Array.from(batch.inputIds.slice(r * 7, (r + 1) * 7));
    const mask = (r: number) => Array.from(batch.lossMask.slice(r * 7, (r + 1) * 7));
    expect(row(0)).toEqual([2, 3, 7, 8, 5, 1, 1]);
    expect(row(1)).toEqual([2, 6, 3, 4, 1, 1, 1]);
    expect(row(2)).toEqual([2, 3, 9, 5, 1, 1, 1]);
    expect(row(3)).toEqual([2, 6, 3, 11, 12, 13, 5]);
    expect(mask(0)).toEqual([0, 0, 1, 1, 1, 0, 0]);
    expect(mask(3)).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(responseTokenCounts(batch)).toEqual([3, 1, 2, 4]);
  });

  it("resumes the data order exactly from a saved position", () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ ...pairs[i % 2]!, id: `p${i}` }));
    const cursor = pairCursor(many, { batchSize: 2, seed: 5, padId: 1, start: null });
    const seen = Array.from({ length: 6 }, () => cursor.next().indices);
    const again = pairCursor(many, { batchSize: 2, seed: 5, padId: 1, start: null });
    again.next();
    again.next();
    const resumed = pairCursor(many, { batchSize: 2, seed: 5, padId: 1, start: JSON.parse(JSON.stringify(again.position())) });
    expect(Array.from({ length: 4 }, () => resumed.next().indices)).toEqual(seen.slice(2));
  });
});
