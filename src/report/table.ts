/**
 * The results table, laid out like the Tülu 3 paper's: one row per evaluated checkpoint (base, soup, SFT, DPO,
 * RLVR: whatever model each eval stage evaluated, in run order), one column per held-out metric. Values are
 * fractions in results.json and percentages in Markdown, as the paper prints them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompletedStage } from "../recipe/index.js";

export interface ResultsColumn {
  key: string;
  label: string;
  /** Shown as a percentage (fractions in [0, 1]); otherwise as a plain number. */
  percent: boolean;
  description: string;
}

/** The headline columns in the paper's order; any other `<verifier>_accuracy` in an eval summary follows them. */
export const RESULT_COLUMNS: readonly ResultsColumn[] = [
  { key: "gsm8k_accuracy", label: "GSM", percent: true, description: "GSM-style word problems, answer after ####" },
  { key: "math_accuracy", label: "MATH", percent: true, description: "MATH-style problems, \\boxed{} answer" },
  { key: "ifeval_prompt_strict", label: "IFEval strict", percent: true, description: "IFEval prompt-level strict" },
  { key: "ifeval_prompt_loose", label: "IFEval loose", percent: true, description: "IFEval prompt-level loose" },
  {
    key: "verified_accuracy",
    label: "all verified",
    percent: true,
    description: "share of all verifier-scored prompts answered correctly (every set pooled)",
  },
  { key: "eos_rate", label: "EOS", percent: true, description: "answers that end with EOS within max_new_tokens" },
  { key: "in_turn_rate", label: "in turn", percent: true, description: "answers with no role marker inside" },
  { key: "mean_length", label: "length", percent: false, description: "mean answer length in tokens" },
];

/** Summary keys that repeat a column under another name. */
const DUPLICATE_KEYS = new Set(["ifeval_accuracy"]);

export interface ResultsRow {
  /** The stage that produced the evaluated model ("start" for the recipe's starting model). */
  checkpoint: string;
  /** That stage's kind (pretrain, anneal, soup, sft, dpo, rlvr), or "start". */
  kind: string;
  evalStage: string;
  model: string;
  /** Column key -> value (fractions for percent columns); missing metrics are absent. */
  metrics: Record<string, number>;
}

export interface ResultsTable {
  columns: ResultsColumn[];
  rows: ResultsRow[];
}

/**
 * The stage whose output folder is `model`. Any other model is the recipe's starting model (runDir/start/model
 * for a preset, or the folder the recipe names): an eval stage's `from` names a stage of this run or `start`.
 */
function producerOf(model: string, stages: readonly CompletedStage[]): { checkpoint: string; kind: string } {
  const producer = stages.find((s) => s.modelDir !== null && s.modelDir === model);
  return producer ? { checkpoint: producer.name, kind: producer.kind } : { checkpoint: "start", kind: "start" };
}

/**
 * Share of verifier-scored samples judged correct, pooled over every set, from the eval stage's
 * generations.jsonl; null when the file is missing or holds no scored sample.
 */
export function verifiedAccuracy(generationsFile: string): number | null {
  if (!existsSync(generationsFile)) return null;
  let scored = 0;
  let correct = 0;
  for (const line of readFileSync(generationsFile, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const sample = JSON.parse(line) as { verifier?: string | null; correct?: boolean | null };
    if (sample.verifier === null || sample.verifier === undefined) continue;
    scored += 1;
    if (sample.correct === true) correct += 1;
  }
  return scored === 0 ? null : correct / scored;
}

/**
 * The table of every eval stage among `stages` (run order), each row keyed by the model it evaluated. Reads
 * each eval stage's generations.jsonl for the pooled verifier accuracy; everything else is in the summaries.
 */
export function resultsTable(stages: readonly CompletedStage[]): ResultsTable {
  const evals = stages.filter((s) => s.kind === "eval");
  const rows: ResultsRow[] = evals.map((e) => {
    const model = typeof e.summary.model === "string" ? e.summary.model : "";
    const metrics: Record<string, number> = {};
    for (const [key, value] of Object.entries(e.summary)) {
      if (typeof value === "number" && Number.isFinite(value) && !DUPLICATE_KEYS.has(key)) metrics[key] = value;
    }
    const pooled = verifiedAccuracy(join(e.stageDir, "generations.jsonl"));
    if (pooled !== null) metrics.verified_accuracy = pooled;
    return { ...producerOf(model, stages), evalStage: e.name, model, metrics };
  });
  const known = new Set(RESULT_COLUMNS.map((c) => c.key));
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))]
    .filter((k) => !known.has(k) && k.endsWith("_accuracy"))
    .sort()
    .map((key) => ({ key, label: key.replace(/_accuracy$/, ""), percent: true, description: `${key} (verifier accuracy)` }));
  // Known columns keep the paper's order; a column no row has is left out (an eval without IFEval prompts).
  const columns = [...RESULT_COLUMNS, ...extra].filter((c) => rows.some((r) => c.key in r.metrics));
  return { columns, rows };
}

export function formatValue(column: ResultsColumn, value: number | undefined): string {
  if (value === undefined) return "–";
  return column.percent ? (100 * value).toFixed(1) : value.toFixed(1);
}

/** The table as Markdown (percentages with one decimal, like the paper). */
export function resultsMarkdown(table: ResultsTable): string {
  if (table.rows.length === 0) return "_No eval stage has run._\n";
  const head = `| checkpoint | ${table.columns.map((c) => c.label).join(" | ")} |`;
  const rule = `|---|${table.columns.map(() => "---:").join("|")}|`;
  const body = table.rows.map(
    (r) => `| ${r.checkpoint} | ${table.columns.map((c) => formatValue(c, r.metrics[c.key])).join(" | ")} |`,
  );
  const legend = table.columns.map((c) => `${c.label}: ${c.description}${c.percent ? " (%)" : ""}`).join("; ");
  return [head, rule, ...body].join("\n") + `\n\n${legend}.\n`;
}

/** results.json: the same table with raw values, for scripts. */
export function resultsJson(table: ResultsTable): object {
  return {
    columns: table.columns,
    rows: table.rows.map((r) => ({ checkpoint: r.checkpoint, kind: r.kind, eval_stage: r.evalStage, model: r.model, ...r.metrics })),
  };
}
