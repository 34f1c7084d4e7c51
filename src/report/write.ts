/**
 * writeRunReport(runDir): everything a finished (or stopped) run folder reports, from its files alone:
 *
 *   results.md / results.json   the results table (one row per evaluated checkpoint) and the stage targets
 *   report/<NN-stage>-<family>.svg, report/results.svg   every chart as a standalone SVG
 *   report.html                  the self-contained page: table, charts, stage summaries, manifest
 *
 * It reads manifest.json, each stage's result.json (finished stages) and metrics.jsonl (any stage, so a failed
 * run still shows its curves), so it can be rerun on any run folder (`posttrain report RUN_DIR`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest, writeJsonAtomic } from "../recipe/index.js";
import type { CompletedStage } from "../recipe/index.js";
import { readMetrics } from "../train/index.js";
import { renderSvg, resultsChart, stageCharts } from "./charts.js";
import { reportHtml, type ReportStage } from "./html.js";
import { resultsJson, resultsMarkdown, resultsTable, type ResultsTable } from "./table.js";
import { targetChecks, targetLines } from "./targets.js";

export interface RunReport {
  table: ResultsTable;
  /** results.md's content: the Markdown table and the stage-target lines. */
  markdown: string;
  /** One line per stage target, `- stage: metric before → after ✓`. */
  targets: string[];
  htmlFile: string;
  svgFiles: string[];
}

/** The finished stages of a run folder, as the orchestrator recorded them (result.json). */
export function completedStages(runDir: string): CompletedStage[] {
  const manifest = readManifest(runDir);
  return manifest.stages
    .filter((s) => s.status === "done" && existsSync(join(runDir, s.dir, "result.json")))
    .map((s) => JSON.parse(readFileSync(join(runDir, s.dir, "result.json"), "utf8")) as CompletedStage);
}

export async function writeRunReport(runDir: string): Promise<RunReport> {
  const manifest = readManifest(runDir);
  const done = completedStages(runDir);
  const table = resultsTable(done);
  const targets = targetLines(targetChecks(table, done));
  const markdown = resultsMarkdown(table) + (targets.length > 0 ? `\nStage targets (each post-training stage against the checkpoint before it):\n\n${targets.join("\n")}\n` : "");
  writeFileSync(join(runDir, "results.md"), `# ${manifest.recipe.name}: results\n\n${markdown}`);
  writeJsonAtomic(join(runDir, "results.json"), { ...resultsJson(table), targets });

  const chartDir = join(runDir, "report");
  mkdirSync(chartDir, { recursive: true });
  const svgFiles: string[] = [];
  const save = (id: string, svg: string) => {
    const file = join(chartDir, `${id}.svg`);
    writeFileSync(file, svg);
    svgFiles.push(file);
  };

  const stages: ReportStage[] = [];
  for (const record of manifest.stages) {
    const rows = readMetrics(join(runDir, record.dir, "metrics.jsonl"));
    const charts = [];
    for (const chart of stageCharts(record.dir, record.name, rows)) {
      const svg = await renderSvg(chart.spec, chart.id);
      save(chart.id, svg);
      charts.push({ id: chart.id, title: chart.title, svg });
    }
    stages.push({
      dir: record.dir,
      name: record.name,
      kind: record.kind,
      status: record.status,
      startedAt: record.started_at,
      finishedAt: record.finished_at,
      summary: record.summary,
      charts,
    });
  }
  const overview = resultsChart(table);
  const resultsSvg = overview ? await renderSvg(overview.spec, overview.id) : null;
  if (resultsSvg) save("results", resultsSvg);

  const htmlFile = join(runDir, "report.html");
  writeFileSync(htmlFile, reportHtml({ runDir, manifest, table, targets, resultsSvg, stages }));
  return { table, markdown, targets, htmlFile, svgFiles };
}
