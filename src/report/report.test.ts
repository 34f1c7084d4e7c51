import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  completedStages,
  renderSvg,
  resultsMarkdown,
  resultsTable,
  stageCharts,
  targetChecks,
  targetLines,
  writeRunReport,
} from "./index.js";
import type { MetricsRow } from "../train/index.js";
import { SYNTHETIC_CHART_IDS, writeSyntheticRun } from "./test-helpers.js";

const root = mkdtempSync(join(tmpdir(), "posttrain-report-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function synthetic(name: string): string {
  const dir = join(root, name);
  writeSyntheticRun(dir);
  return dir;
}

describe("results table", () => {
  it("has one row per evaluated checkpoint, named by the stage that made it, in run order", () => {
    const table = resultsTable(completedStages(synthetic("table")));
    expect(table.rows.map((r) => [r.checkpoint, r.kind, r.evalStage])).toEqual([
      ["pretrain", "pretrain", "eval-base"],
      ["sft", "sft", "eval-sft"],
      ["dpo", "dpo", "eval-dpo"],
      ["rlvr", "rlvr", "eval-rlvr"],
    ]);
    expect(table.columns.map((c) => c.key)).toEqual([
      "gsm8k_accuracy",
      "math_accuracy",
      "ifeval_prompt_strict",
      "ifeval_prompt_loose",
      "verified_accuracy",
      "eos_rate",
      "in_turn_rate",
      "mean_length",
    ]);
    // Pooled over every scored sample of generations.jsonl: 1/4, 2/4, 3/4, 4/4.
    expect(table.rows.map((r) => r.metrics.verified_accuracy)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(table.rows[0]!.metrics.eos_rate).toBe(0.5);
  });

  it("prints percentages with one decimal, lengths as tokens, and a dash for a missing metric", () => {
    const table = resultsTable(completedStages(synthetic("markdown")));
    delete table.rows[1]!.metrics.math_accuracy;
    const lines = resultsMarkdown(table).split("\n");
    expect(lines[0]).toBe("| checkpoint | GSM | MATH | IFEval strict | IFEval loose | all verified | EOS | in turn | length |");
    expect(lines[2]).toBe("| pretrain | 50.0 | 0.0 | 0.0 | 0.0 | 25.0 | 50.0 | 100.0 | 19.0 |");
    expect(lines[3]).toBe("| sft | 100.0 | – | 0.0 | 0.0 | 50.0 | 100.0 | 100.0 | 17.0 |");
    expect(resultsMarkdown({ columns: [], rows: [] })).toContain("No eval stage");
  });

  it("names the start model 'start' when an eval evaluates a model no stage of the run made", () => {
    const dir = synthetic("start");
    const stages = completedStages(dir).map((s) => (s.name === "eval-base" ? { ...s, summary: { ...s.summary, model: join(dir, "start", "model") } } : s));
    expect(resultsTable(stages).rows[0]!.checkpoint).toBe("start");
  });
});

describe("stage targets", () => {
  it("judges each post-training stage against the row before it, and DPO's held-out preference accuracy", () => {
    const dir = synthetic("targets");
    const stages = completedStages(dir);
    const table = resultsTable(stages);
    const checks = targetChecks(table, stages);
    expect(checks.map((c) => [c.stage, c.metric, c.before, c.after, c.passed])).toEqual([
      ["sft", "EOS rate", 0.5, 1, true],
      ["sft", "in-turn rate (format)", 1, 1, true], // held at the ceiling
      ["dpo", "verifier accuracy", 0.5, 0.75, true],
      ["dpo", "held-out preference accuracy", null, 0.84, true],
      ["rlvr", "verifier accuracy", 0.75, 1, true],
      ["rlvr", "GSM (arithmetic) accuracy", 1, 1, true],
    ]);
    expect(targetLines(checks)[0]).toBe("- sft: EOS rate 50.0 → 100.0 (+50.0) ✓");
    expect(targetLines(checks)[3]).toBe("- dpo: held-out preference accuracy 84.0 (target ≥ 80.0) ✓");
    // A stage that got worse fails its check.
    table.rows[3]!.metrics.verified_accuracy = 0.5;
    expect(targetChecks(table, stages).find((c) => c.stage === "rlvr" && c.metric === "verifier accuracy")).toMatchObject({ passed: false });
    table.rows[3]!.metrics.gsm8k_accuracy = 0.9;
    expect(targetChecks(table, stages).at(-1)).toMatchObject({ stage: "rlvr", metric: "GSM (arithmetic) accuracy", passed: false });
  });
});

describe("charts", () => {
  it("groups metrics columns into loss, reward, KL and accuracy charts, skipping families with no values", () => {
    const rows: MetricsRow[] = [
      { step: 1, loss: 1, "eval/loss": 1.1, reward_mean: 2, kl: 0.1, "accuracy/gsm8k": 0.5, lr: 1e-3, grad_norm: 2 },
      { step: 2, loss: 0.8, reward_mean: 3, kl: 0.2, "accuracy/gsm8k": 0.6, "eval/gsm8k_accuracy": 0.7 },
    ];
    const charts = stageCharts("07-rlvr", "rlvr", rows);
    expect(charts.map((c) => c.id)).toEqual(["07-rlvr-loss", "07-rlvr-reward", "07-rlvr-kl", "07-rlvr-accuracy"]);
    const series = (id: string) => [...new Set((charts.find((c) => c.id === id)!.spec as { data: { values: { series: string }[] } }).data.values.map((v) => v.series))];
    expect(series("07-rlvr-loss")).toEqual(["loss", "eval/loss"]);
    expect(series("07-rlvr-accuracy")).toEqual(["accuracy/gsm8k", "eval/gsm8k_accuracy"]);
    expect(stageCharts("01-pretrain", "pretrain", [{ step: 1, loss: 3, lr: 0.1 }]).map((c) => c.id)).toEqual(["01-pretrain-loss"]);
    expect(stageCharts("02-eval", "eval", [])).toEqual([]);
  });

  it("renders a chart to SVG with its line marks and prefixes element ids", async () => {
    const [chart] = stageCharts("03-sft", "sft", [{ step: 1, loss: 2 }, { step: 2, loss: 1 }]);
    const svg = await renderSvg(chart!.spec, "c1");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toMatch(/class="mark-line role-mark/);
    expect(svg).toMatch(/<path [^>]*d="M[\d.]+,[\d.]+L/);
    for (const ref of svg.matchAll(/url\(#([^)]+)\)/g)) expect(ref[1]!.startsWith("c1-")).toBe(true);
  });
});

describe("writeRunReport", () => {
  it("writes results.md, results.json, one SVG per chart and a script-free report.html", async () => {
    const dir = synthetic("write");
    const report = await writeRunReport(dir);
    expect(readdirSync(join(dir, "report")).sort()).toEqual(SYNTHETIC_CHART_IDS.map((id) => `${id}.svg`).sort());
    const md = readFileSync(join(dir, "results.md"), "utf8");
    expect(md).toContain("| rlvr | 100.0 |");
    expect(md).toContain("- rlvr: verifier accuracy 75.0 → 100.0 (+25.0) ✓");
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(json.rows[2]).toMatchObject({ checkpoint: "dpo", eval_stage: "eval-dpo", verified_accuracy: 0.75 });
    const html = readFileSync(report.htmlFile, "utf8");
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain("synthetic &lt;tulu&gt;");
    expect(html.match(/<figure /g)).toHaveLength(SYNTHETIC_CHART_IDS.length);
    expect(existsSync(join(dir, "report.html"))).toBe(true);
  });
});
