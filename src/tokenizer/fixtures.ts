/** Paths of the tokenizer test fixtures (test/fixtures/tokenizer; see make-golden.py there). Test-only helper. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChatMessage } from "./chat.js";

export const FIXTURES = fileURLToPath(new URL("../../test/fixtures/tokenizer/", import.meta.url));

export interface Golden {
  versions: Record<string, string>;
  texts: string[];
  encode: Record<string, number[][]>;
  decode_skip_special: Record<string, string[]>;
  chat: { messages: ChatMessage[]; add_generation_prompt: boolean; text: string; ids: number[] }[];
}

export function readGolden(): Golden {
  return JSON.parse(readFileSync(FIXTURES + "golden.json", "utf8")) as Golden;
}
