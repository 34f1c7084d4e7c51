import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AddedTokenSplitter } from "./added.js";
import { utf8Length } from "./bytes.js";
import { ChatTemplate, type ChatMessage } from "./chat.js";
import { decodeIds, encodeSpans, type EncodedSpans } from "./encode.js";
import { TokenizerError } from "./errors.js";
import { readJsonFile, stringifyTokenizerJson, writeJsonFiles } from "./files.js";
import { parseTokenizerJson, type ParsedTokenizer } from "./parse.js";
import { asObject } from "./pretokenize.js";

/**
 * A byte-level BPE tokenizer read from HF files (`tokenizer.json` + `tokenizer_config.json`), which stay the single
 * source of truth: `save` writes them back, and encoding follows HF Rust `tokenizers` semantics (see parse.ts,
 * bpe.ts, regex.ts for where that differs from the JS port `@huggingface/tokenizers`).
 */
export class Tokenizer {
  readonly vocabSize: number;
  readonly eosId: number;
  readonly bosId: number;
  readonly padId: number;
  readonly eosToken: string;
  readonly bosToken: string;
  readonly padToken: string;
  /** The Jinja chat template from tokenizer_config.json, or "" when it has none. */
  readonly chatTemplate: string;
  private readonly parsed: ParsedTokenizer;
  private readonly splitter: AddedTokenSplitter;
  private readonly template?: ChatTemplate;

  private constructor(
    private readonly json: Record<string, unknown>,
    private readonly config: Record<string, unknown>,
    where: { json: string; config: string },
  ) {
    this.parsed = parseTokenizerJson(json, where.json);
    this.splitter = new AddedTokenSplitter(this.parsed.added);
    this.vocabSize = this.parsed.vocabSize;
    const special = (field: string, required: boolean): string | undefined => {
      const value = config[field];
      const content = typeof value === "string" ? value : (value as { content?: unknown } | null | undefined)?.content;
      if (content === undefined || content === null) {
        if (required) throw new TokenizerError(where.config, `${field} is missing`);
        return undefined;
      }
      if (typeof content !== "string" || this.parsed.tokenToId.get(content) === undefined) {
        throw new TokenizerError(where.config, `${field} ${JSON.stringify(content)} is not a token of tokenizer.json`);
      }
      return content;
    };
    this.eosToken = special("eos_token", true)!;
    // OLMo 2 uses bos = eos; a config without bos_token or pad_token falls back to eos for both.
    this.bosToken = special("bos_token", false) ?? this.eosToken;
    this.padToken = special("pad_token", false) ?? this.eosToken;
    this.eosId = this.parsed.tokenToId.get(this.eosToken)!;
    this.bosId = this.parsed.tokenToId.get(this.bosToken)!;
    this.padId = this.parsed.tokenToId.get(this.padToken)!;
    this.chatTemplate = pickChatTemplate(config.chat_template, where.config);
    if (this.chatTemplate !== "") {
      const unk = special("unk_token", false) ?? "";
      this.template = new ChatTemplate(
        this.chatTemplate,
        { bos_token: this.bosToken, eos_token: this.eosToken, pad_token: this.padToken, unk_token: unk },
        where.config,
      );
    }
  }

  /**
   * Read `dir/tokenizer.json` and `dir/tokenizer_config.json`; errors name the file and field. transformers 5 saves
   * the chat template as `chat_template.jinja` instead of a config field: that file is used when the config has none.
   */
  static async load(dir: string): Promise<Tokenizer> {
    const jsonPath = join(dir, "tokenizer.json");
    const configPath = join(dir, "tokenizer_config.json");
    const json = asObject(await readJsonFile(jsonPath), jsonPath, "(root)");
    const config = asObject(await readJsonFile(configPath), configPath, "(root)");
    if (config.chat_template === undefined) {
      const jinja = await readFile(join(dir, "chat_template.jinja"), "utf8").catch(() => undefined);
      if (jinja !== undefined) config.chat_template = jinja;
    }
    return new Tokenizer(json, config, { json: jsonPath, config: configPath });
  }

  static fromJSON(tokenizerJson: object, tokenizerConfig: object): Tokenizer {
    const json = asObject(tokenizerJson, "tokenizer.json", "(root)");
    const config = asObject(tokenizerConfig, "tokenizer_config.json", "(root)");
    return new Tokenizer(structuredClone(json), structuredClone(config), { json: "tokenizer.json", config: "tokenizer_config.json" });
  }

  /** Write tokenizer.json, tokenizer_config.json and special_tokens_map.json into `dir` (created if needed), atomically each. */
  async save(dir: string): Promise<void> {
    await writeJsonFiles(dir, {
      "tokenizer.json": stringifyTokenizerJson(this.json),
      "tokenizer_config.json": JSON.stringify(this.config, null, 2) + "\n",
      "special_tokens_map.json": JSON.stringify(this.specialTokensMap(), null, 2) + "\n",
    });
  }

  /** Token ids of `text`; no special tokens are added, but added tokens written in the text become their ids. */
  encode(text: string): number[] {
    return encodeSpans(this.parsed, this.splitter, text).ids;
  }

  /** Ids plus the UTF-8 byte range of `text` each id covers. */
  encodeWithOffsets(text: string): EncodedSpans {
    return encodeSpans(this.parsed, this.splitter, text);
  }

  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    return decodeIds(this.parsed, ids, opts.skipSpecialTokens ?? false);
  }

  tokenToId(token: string): number | undefined {
    return this.parsed.tokenToId.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.parsed.idToToken.get(id);
  }

  /** Render the chat template (as HF's `apply_chat_template(..., tokenize=False)`). */
  renderChat(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    return this.requireTemplate().render(messages, opts.addGenerationPrompt ?? false);
  }

  /**
   * Ids of the rendered conversation (equal to HF `apply_chat_template(messages, tokenize=True)`) and a mask that is 1
   * exactly on the tokens inside an assistant turn's span (its content and closing EOS, every assistant turn; see
   * ChatTemplate.assistantSpans). A token that crosses a span edge (content starting with a newline merges with the
   * template's `\n`) is 0: template text is never trained on.
   */
  encodeChat(messages: readonly ChatMessage[]): { input_ids: number[]; assistant_mask: number[] } {
    const { text, spans } = this.requireTemplate().assistantSpans(messages);
    const enc = encodeSpans(this.parsed, this.splitter, text);
    const byteSpans = spans.map(([a, b]) => [utf8Length(text.slice(0, a)), utf8Length(text.slice(0, b))] as const);
    const mask = enc.ids.map((_, k) => {
      const s = enc.byteStarts[k]!;
      const e = enc.byteEnds[k]!;
      return byteSpans.some(([a, b]) => s >= a && e <= b && e > s) ? 1 : 0;
    });
    return { input_ids: enc.ids, assistant_mask: mask };
  }

  /** Ids of the prompt for generation: the render with `add_generation_prompt=true`. */
  encodePrompt(messages: readonly ChatMessage[]): number[] {
    return this.encode(this.renderChat(messages, { addGenerationPrompt: true }));
  }

  private requireTemplate(): ChatTemplate {
    if (!this.template) throw new TokenizerError("tokenizer_config.json", "has no chat_template");
    return this.template;
  }

  private specialTokensMap(): Record<string, unknown> {
    const entry = (content: string) => ({ content, lstrip: false, normalized: false, rstrip: false, single_word: false });
    const map: Record<string, unknown> = {};
    const extra = this.config.additional_special_tokens;
    if (Array.isArray(extra) && extra.length > 0) map.additional_special_tokens = extra;
    map.bos_token = entry(this.bosToken);
    map.eos_token = entry(this.eosToken);
    map.pad_token = entry(this.padToken);
    const unk = this.config.unk_token;
    if (typeof unk === "string") map.unk_token = entry(unk);
    return map;
  }
}

/** `chat_template` is a string, or (newer HF files) a list of {name, template} where "default" is used. */
function pickChatTemplate(value: unknown, where: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const named = value.find((t) => (t as { name?: unknown })?.name === "default") as { template?: unknown } | undefined;
    if (typeof named?.template === "string") return named.template;
  }
  throw new TokenizerError(where, "chat_template must be a string or a list with a 'default' entry");
}
