/**
 * The four row formats the project reads and writes, as AI2 publishes them (after normalisation):
 *
 * - SFT (allenai/tulu-3-sft-mixture):            {"id", "messages": [{"role", "content"}], "source"}
 * - preference (Tülu 3 preference mixtures):     {"id", "prompt", "chosen": messages, "rejected": messages, "source"}
 * - RLVR (allenai/RLVR-GSM-MATH-IF-Mixed-Constraints): {"id", "messages", "ground_truth", "dataset"}
 * - text (pretraining, Dolma-like):              {"id", "text", "source"}
 *
 * Every reader returns these normalised shapes, whatever variant the file used (see normalize.ts).
 */

export type Role = "system" | "user" | "assistant";

export interface Message {
  role: Role;
  content: string;
}

export interface SftRow {
  id: string;
  messages: Message[];
  source: string;
  /** Only on generated world rows (1 = easiest). */
  difficulty?: number;
}

export interface PreferenceRow {
  id: string;
  /** The first user turn (derived from `chosen` when the file has no `prompt`). */
  prompt: string;
  /** The full conversation ending in the preferred assistant turn. */
  chosen: Message[];
  /** The same prompt turns ending in the dispreferred assistant turn. */
  rejected: Message[];
  source: string;
}

/** The verifiers an RLVR row can name (AI2 writes `MATH`; we normalise to lower case). */
export const VERIFIER_NAMES = ["gsm8k", "math", "ifeval"] as const;
export type VerifierName = (typeof VERIFIER_NAMES)[number];

export interface RlvrRow {
  id: string;
  /** The prompt turns; the last one is the user's. */
  messages: Message[];
  /**
   * gsm8k: the bare number ("7"); math: the bare answer ("\frac{3}{4}", no \boxed{});
   * ifeval: a JSON string, open-instruct's `[{"instruction_id": [...], "kwargs": [...]}]`.
   */
  ground_truth: string;
  dataset: VerifierName;
  /** AI2's IF rows carry these (often null); kept when present. */
  constraint_type?: string | null;
  constraint?: string | null;
  /** Only on generated world rows (1 = easiest). */
  difficulty?: number;
}

export interface TextRow {
  id: string;
  text: string;
  source: string;
}

export const FORMATS = ["sft", "preference", "rlvr", "text"] as const;
export type Format = (typeof FORMATS)[number];

export interface RowOf {
  sft: SftRow;
  preference: PreferenceRow;
  rlvr: RlvrRow;
  text: TextRow;
}

export type AnyRow = RowOf[Format];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

/** The user-visible prompt of a row: what must never leak from eval into training. */
export function promptOf(format: Format, row: AnyRow): string {
  switch (format) {
    case "sft":
    case "rlvr":
      return userTurns((row as SftRow | RlvrRow).messages);
    case "preference":
      return userTurns((row as PreferenceRow).chosen);
    case "text":
      return (row as TextRow).text;
  }
}

function userTurns(messages: Message[]): string {
  return messages
    .filter((m) => m.role === "user")
    .map((m) => m.content)
    .join("\n");
}
