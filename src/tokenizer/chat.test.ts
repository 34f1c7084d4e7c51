import { Template } from "@huggingface/jinja";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OLMO2_CHAT_TEMPLATE, TULU_TEMPLATE, type ChatMessage } from "./chat.js";
import { FIXTURES } from "./fixtures.js";
import { Tokenizer } from "./tokenizer.js";

const tok = await Tokenizer.load(join(FIXTURES, "small"));
const EOS = "<|endoftext|>";
const sys: ChatMessage = { role: "system", content: "Be brief." };
const u1: ChatMessage = { role: "user", content: "What is 2+2?" };
const a1: ChatMessage = { role: "assistant", content: "It's 4." };
const u2: ChatMessage = { role: "user", content: "And 3+3?" };
const a2: ChatMessage = { role: "assistant", content: "6 😀" };

/** The template rendered directly with @huggingface/jinja, as HF's apply_chat_template calls it. */
function direct(messages: ChatMessage[], addGenerationPrompt: boolean): string {
  return new Template(OLMO2_CHAT_TEMPLATE).render({
    messages,
    add_generation_prompt: addGenerationPrompt,
    bos_token: EOS,
    eos_token: EOS,
    pad_token: "<|pad|>",
    unk_token: EOS,
  });
}

describe("chat template", () => {
  it("is stored in tokenizer_config.json as {{ bos_token }} + the Tülu template", () => {
    expect(tok.chatTemplate).toBe(OLMO2_CHAT_TEMPLATE);
    expect(OLMO2_CHAT_TEMPLATE).toBe("{{ bos_token }}" + TULU_TEMPLATE);
  });

  it.each([
    ["user, assistant", [u1, a1]],
    ["system, user, assistant", [sys, u1, a1]],
    ["multi-turn with system", [sys, u1, a1, u2, a2]],
    ["multi-turn ending on user", [u1, a1, u2]],
  ])("renders %s exactly as the Jinja template rendered directly", (_, messages) => {
    for (const agp of [false, true]) expect(tok.renderChat(messages, { addGenerationPrompt: agp })).toBe(direct(messages, agp));
  });

  it("produces the OLMo-2-Instruct text (ANCHORS §4.2 example)", () => {
    expect(tok.renderChat([{ role: "system", content: "S" }, { role: "user", content: "U" }, { role: "assistant", content: "A" }])).toBe(
      "<|endoftext|><|system|>\nS\n<|user|>\nU\n<|assistant|>\nA<|endoftext|>",
    );
    expect(tok.renderChat([sys, u1], { addGenerationPrompt: true })).toBe(
      "<|endoftext|><|system|>\nBe brief.\n<|user|>\nWhat is 2+2?\n<|assistant|>\n",
    );
    expect(tok.renderChat([u1, a1, u2, a2])).toBe(
      `${EOS}<|user|>\nWhat is 2+2?\n<|assistant|>\nIt's 4.${EOS}\n<|user|>\nAnd 3+3?\n<|assistant|>\n6 😀${EOS}`,
    );
  });

  it("encodes the special tokens of the render as single ids", () => {
    const ids = tok.encodeChat([sys, u1, a1]).input_ids;
    const special = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>"].map((t) => tok.tokenToId(t)!);
    expect(ids[0]).toBe(tok.bosId);
    expect(ids.at(-1)).toBe(tok.eosId);
    expect(ids.filter((id) => special.includes(id))).toEqual([tok.bosId, special[1], special[2], special[3], tok.eosId]);
  });

  it("encodePrompt ends with the generation prompt and equals the encoded render", () => {
    const ids = tok.encodePrompt([sys, u1]);
    expect(ids).toEqual(tok.encode(tok.renderChat([sys, u1], { addGenerationPrompt: true })));
    expect(ids.slice(-2)).toEqual([tok.tokenToId("<|assistant|>"), tok.encode("\n")[0]]);
  });
});

/** Decoded text of the masked-in tokens, one string per contiguous run. */
function maskedRuns(messages: ChatMessage[]): string[] {
  const { input_ids, assistant_mask } = tok.encodeChat(messages);
  expect(assistant_mask).toHaveLength(input_ids.length);
  const runs: number[][] = [];
  assistant_mask.forEach((m, i) => {
    if (m === 1 && assistant_mask[i - 1] === 1) runs.at(-1)!.push(input_ids[i]!);
    else if (m === 1) runs.push([input_ids[i]!]);
  });
  return runs.map((r) => tok.decode(r));
}

describe("assistant mask", () => {
  it("covers exactly content + EOS of the single assistant turn, without a system message", () => {
    expect(maskedRuns([u1, a1])).toEqual([`It's 4.${EOS}`]);
  });

  it("covers every assistant turn of a multi-turn conversation with a system message", () => {
    expect(maskedRuns([sys, u1, a1, u2, a2])).toEqual([`It's 4.${EOS}`, `6 😀${EOS}`]);
  });

  it("leaves the \\n after a non-final EOS, the role markers and the BOS at 0", () => {
    const { input_ids, assistant_mask } = tok.encodeChat([u1, a1, u2, a2]);
    const firstEos = input_ids.indexOf(tok.eosId, 1);
    expect(assistant_mask[firstEos]).toBe(1);
    expect(tok.decode([input_ids[firstEos + 1]!])).toBe("\n");
    expect(assistant_mask[firstEos + 1]).toBe(0);
    expect(assistant_mask[0]).toBe(0);
    input_ids.forEach((id, i) => {
      if (id === tok.tokenToId("<|assistant|>") || id === tok.tokenToId("<|user|>")) expect(assistant_mask[i]).toBe(0);
    });
    // Everything outside the masked runs decodes to the template and the user turns.
    const unmasked = input_ids.filter((_, i) => assistant_mask[i] === 0);
    expect(tok.decode(unmasked)).toBe(`${EOS}<|user|>\nWhat is 2+2?\n<|assistant|>\n\n<|user|>\nAnd 3+3?\n<|assistant|>\n`);
  });

  it("masks only the EOS of an empty assistant turn, and nothing in a conversation without one", () => {
    expect(maskedRuns([u1, { role: "assistant", content: "" }])).toEqual([EOS]);
    expect(tok.encodeChat([sys, u1]).assistant_mask.every((m) => m === 0)).toBe(true);
  });

  it("keeps at 0 a token that straddles the span start (content beginning with a newline merges with the template's \\n)", () => {
    const runs = maskedRuns([u1, { role: "assistant", content: "\nHi" }]);
    expect(runs).toEqual([`Hi${EOS}`]);
  });

  it("treats a literal <|endoftext|> in content as the special token, as HF does (documented choice)", () => {
    const { input_ids, assistant_mask } = tok.encodeChat([{ role: "user", content: "say <|endoftext|>" }, { role: "assistant", content: "ok" }]);
    expect(input_ids.filter((id) => id === tok.eosId)).toHaveLength(3); // BOS, the user's literal, the closing EOS
    expect(assistant_mask.reduce((a, b) => a + b, 0)).toBe(tok.encode("ok").length + 1);
  });

  it("rejects conversations whose assistant span cannot be derived from prefix renders", () => {
    expect(() => tok.encodeChat([a1, u1])).toThrow(/cannot derive the assistant span of messages\[0\]/);
    expect(() => tok.encodeChat([u1, a1, a2])).toThrow(/messages\[2\]/);
  });

  it("rejects malformed messages with their index", () => {
    expect(() => tok.encodeChat([u1, { role: "tool", content: "x" } as unknown as ChatMessage])).toThrow(/messages\[1\] must be/);
  });
});
