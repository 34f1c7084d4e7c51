import { Template } from "@huggingface/jinja";
import { TokenizerError } from "./errors.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * The Tülu chat template, `CHAT_TEMPLATES["tulu"]` in open-instruct (`open_instruct/dataset_transformation.py`). The
 * `\n` are real newlines inside the Jinja string literals; the two spaces before `+ message['content']` in the
 * assistant branches are in the original.
 */
export const TULU_TEMPLATE =
  "{% for message in messages %}" +
  "{% if message['role'] == 'system' %}{{ '<|system|>\n' + message['content'] + '\n' }}" +
  "{% elif message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '\n' }}" +
  "{% elif message['role'] == 'assistant' %}" +
  "{% if not loop.last %}{{ '<|assistant|>\n'  + message['content'] + eos_token + '\n' }}" +
  "{% else %}{{ '<|assistant|>\n'  + message['content'] + eos_token }}{% endif %}" +
  "{% endif %}" +
  "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}" +
  "{% endfor %}";

/** OLMo-2-Instruct's shipped `chat_template`: a BOS prefix (bos = eos = `<|endoftext|>`) and the Tülu template. */
export const OLMO2_CHAT_TEMPLATE = "{{ bos_token }}" + TULU_TEMPLATE;

/** The variables HF's `apply_chat_template` passes besides the messages: the special tokens by name. */
export interface TemplateTokens {
  bos_token: string;
  eos_token: string;
  pad_token: string;
  unk_token: string;
}

/** A compiled chat template; compiled once per tokenizer. */
export class ChatTemplate {
  private readonly template: Template;

  constructor(readonly source: string, private readonly tokens: TemplateTokens, private readonly where: string) {
    try {
      this.template = new Template(source);
    } catch (err) {
      throw new TokenizerError(where, `chat_template does not parse: ${(err as Error).message}`);
    }
  }

  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
    messages.forEach((m, i) => {
      if (m === null || typeof m !== "object" || !["system", "user", "assistant"].includes(m.role) || typeof m.content !== "string") {
        throw new TokenizerError(this.where, `messages[${i}] must be {role: system|user|assistant, content: string}`);
      }
    });
    return this.template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: addGenerationPrompt,
      ...this.tokens,
    });
  }

  /**
   * The character span [start, end) of every assistant turn in `render(messages, false)`, derived as open-instruct
   * does from prefix renders (`dataset_transformation.py`, SFT tokenization): a turn starts where the render of the
   * messages before it with `add_generation_prompt=true` ends, and ends where the render that stops at that turn
   * ends. For the Tülu template that is `content + eos` (the `\n` after a non-final eos is outside).
   * Verified: each prefix render must be a prefix of the full render and each span must start with the turn's
   * content; a conversation where that fails (an assistant turn first, two assistant turns in a row) is an error,
   * the case open-instruct drops.
   */
  assistantSpans(messages: readonly ChatMessage[]): { text: string; spans: [number, number][] } {
    const text = this.render(messages, false);
    const spans: [number, number][] = [];
    messages.forEach((m, i) => {
      if (m.role !== "assistant") return;
      const head = this.render(messages.slice(0, i), true);
      const upTo = this.render(messages.slice(0, i + 1), false);
      if (!text.startsWith(head) || !text.startsWith(upTo) || !text.startsWith(m.content, head.length) || upTo.length < head.length) {
        throw new TokenizerError(
          this.where,
          `cannot derive the assistant span of messages[${i}] from prefix renders of the chat template (assistant turn first, or after another assistant turn?)`,
        );
      }
      spans.push([head.length, upTo.length]);
    });
    return { text, spans };
  }
}
