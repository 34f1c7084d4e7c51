/**
 * From a parsed JSON row, as AI2 publishes it, to the one typed shape per format (formats.ts).
 *
 * Accepted variants: a missing `id` (derived from the content, so it is stable across reads), integer ids,
 * Tülu 2's `dataset` in place of `source`, RLVR's `dataset` as `MATH` or in a one-element list, a bare or
 * numeric `ground_truth` (or a one-element list of it), `constraint_type`/`constraint` present and null,
 * a preference `prompt` string (derived from the first user turn when absent).
 */
import { createHash } from "node:crypto";
import {
  VERIFIER_NAMES,
  type Format,
  type Message,
  type PreferenceRow,
  type RlvrRow,
  type RowOf,
  type SftRow,
  type TextRow,
  type VerifierName,
} from "./formats.js";
import { describeAjvErrors, rowValidator, type FieldProblem } from "./schemas.js";

export type Normalized<F extends Format> = { row: RowOf[F]; problems?: undefined } | { row?: undefined; problems: FieldProblem[] };

type Raw = Record<string, unknown>;

/** A stable id from a row's content: the first 16 hex digits of the SHA-256 of its canonical JSON. */
export function contentId(content: unknown): string {
  return createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16);
}

/** Validate and normalise one parsed row; problems name the field as a JSON pointer. */
export function normalizeRow<F extends Format>(format: F, value: unknown): Normalized<F> {
  const validate = rowValidator(format);
  if (!validate(value)) return { problems: describeAjvErrors(validate.errors ?? []) };
  const raw = value as Raw;
  const problems: FieldProblem[] = [];
  const row = NORMALIZERS[format](raw, problems);
  if (problems.length > 0) return { problems };
  return { row: row as RowOf[F] };
}

const NORMALIZERS: { [F in Format]: (raw: Raw, problems: FieldProblem[]) => RowOf[F] } = {
  sft(raw, problems): SftRow {
    const messages = copyMessages(raw.messages);
    if (!messages.some((m) => m.role === "assistant")) problems.push({ field: "/messages", problem: "has no assistant turn" });
    const source = originOf(raw, problems);
    const row: SftRow = { id: "", messages, source };
    if (typeof raw.difficulty === "number") row.difficulty = raw.difficulty;
    return withId(raw, row, { messages });
  },

  preference(raw, problems): PreferenceRow {
    const chosen = copyMessages(raw.chosen);
    const rejected = copyMessages(raw.rejected);
    for (const [name, turns] of [["chosen", chosen], ["rejected", rejected]] as const) {
      const last = turns.length - 1;
      if (turns[last]!.role !== "assistant") {
        problems.push({ field: `/${name}/${last}/role`, problem: "the last turn must be the assistant's" });
      }
    }
    if (!samePromptTurns(chosen, rejected)) {
      problems.push({ field: "/rejected", problem: "must have the same turns as chosen before the last one" });
    }
    const firstUser = chosen.find((m) => m.role === "user");
    if (!firstUser) problems.push({ field: "/chosen", problem: "has no user turn" });
    const prompt = typeof raw.prompt === "string" ? raw.prompt : (firstUser?.content ?? "");
    const source = originOf(raw, problems);
    return withId(raw, { id: "", prompt, chosen, rejected, source }, { chosen, rejected });
  },

  rlvr(raw, problems): RlvrRow {
    const messages = copyMessages(raw.messages);
    const last = messages.length - 1;
    if (messages[last]!.role !== "user") {
      problems.push({ field: `/messages/${last}/role`, problem: "the prompt must end with a user turn" });
    }
    const dataset = verifierOf(raw.dataset, problems);
    const groundTruth = groundTruthOf(raw.ground_truth);
    if (groundTruth.trim() === "") problems.push({ field: "/ground_truth", problem: "must not be empty" });
    const row: RlvrRow = { id: "", messages, ground_truth: groundTruth, dataset };
    if ("constraint_type" in raw) row.constraint_type = raw.constraint_type as string | null;
    if ("constraint" in raw) row.constraint = raw.constraint as string | null;
    if (typeof raw.difficulty === "number") row.difficulty = raw.difficulty;
    return withId(raw, row, { messages, ground_truth: groundTruth, dataset });
  },

  text(raw): TextRow {
    const text = raw.text as string;
    const source = typeof raw.source === "string" ? raw.source : typeof raw.dataset === "string" ? raw.dataset : "";
    return withId(raw, { id: "", text, source }, { text });
  },
};

/** Copies only role and content, so extra keys in a message do not travel into training code. */
function copyMessages(value: unknown): Message[] {
  return (value as Message[]).map((m) => ({ role: m.role, content: m.content }));
}

function samePromptTurns(a: Message[], b: Message[]): boolean {
  if (a.length !== b.length) return false;
  return a.slice(0, -1).every((m, i) => m.role === b[i]!.role && m.content === b[i]!.content);
}

function originOf(raw: Raw, problems: FieldProblem[]): string {
  if (typeof raw.source === "string") return raw.source;
  if (typeof raw.dataset === "string") return raw.dataset; // Tülu 2
  problems.push({ field: "/source", problem: "is required (Tülu 2 rows may give `dataset` instead)" });
  return "";
}

function verifierOf(value: unknown, problems: FieldProblem[]): VerifierName {
  const name = (Array.isArray(value) ? (value[0] as string) : (value as string)).toLowerCase();
  if ((VERIFIER_NAMES as readonly string[]).includes(name)) return name as VerifierName;
  problems.push({ field: "/dataset", problem: `names no verifier: "${name}" (expected one of ${VERIFIER_NAMES.join(", ")})` });
  return "gsm8k";
}

function groundTruthOf(value: unknown): string {
  const inner = Array.isArray(value) && value.length === 1 && typeof value[0] !== "object" ? value[0] : value;
  if (typeof inner === "string") return inner;
  if (typeof inner === "number") return String(inner);
  return JSON.stringify(inner);
}

function withId<T extends { id: string }>(raw: Raw, row: T, content: unknown): T {
  if (typeof raw.id === "string" && raw.id !== "") row.id = raw.id;
  else if (typeof raw.id === "number") row.id = String(raw.id);
  else row.id = contentId(content);
  return row;
}
