/**
 * report.html: one self-contained page (inline CSS and inline SVG charts, no script, no network), so it opens
 * offline from the run folder or as a CI artefact. Sections: the results table with the stage targets, each
 * stage with its charts and summary, and the manifest.
 */
import type { Manifest } from "../recipe/index.js";
import { formatValue, type ResultsTable } from "./table.js";

export interface ReportStage {
  dir: string;
  name: string;
  kind: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  summary: Record<string, unknown> | null;
  /** Rendered charts: id (also the SVG file name in report/) and the SVG markup. */
  charts: { id: string; title: string; svg: string }[];
}

export interface ReportInput {
  runDir: string;
  manifest: Manifest;
  table: ResultsTable;
  targets: string[];
  resultsSvg: string | null;
  stages: ReportStage[];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1280px; padding: 0 1rem; color: #222; }
h1 { margin-bottom: .2rem; } .meta { color: #666; margin-top: 0; }
table.results { border-collapse: collapse; margin: 1rem 0; }
table.results th, table.results td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: right; }
table.results th:first-child, table.results td:first-child { text-align: left; }
section.stage { border-top: 2px solid #eee; margin-top: 1.5rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; } figcaption { color: #666; font-size: 12px; }
pre { background: #f6f6f6; padding: .8rem; overflow-x: auto; font-size: 12px; }
.status-failed { color: #b00; } .status-done { color: #070; }
`;

function duration(start: string | null, end: string | null): string {
  if (!start || !end) return "";
  const s = (Date.parse(end) - Date.parse(start)) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function tableHtml(table: ResultsTable): string {
  if (table.rows.length === 0) return "<p>No eval stage has run.</p>";
  const head = `<tr><th>checkpoint</th>${table.columns.map((c) => `<th title="${escapeHtml(c.description)}">${escapeHtml(c.label)}</th>`).join("")}</tr>`;
  const rows = table.rows.map(
    (r) =>
      `<tr><td title="${escapeHtml(r.model)}">${escapeHtml(r.checkpoint)} <small>(${escapeHtml(r.evalStage)})</small></td>` +
      table.columns.map((c) => `<td>${formatValue(c, r.metrics[c.key])}</td>`).join("") +
      "</tr>",
  );
  const legend = table.columns.map((c) => `<b>${escapeHtml(c.label)}</b>: ${escapeHtml(c.description)}${c.percent ? " (%)" : ""}`).join("; ");
  return `<table class="results"><thead>${head}</thead><tbody>${rows.join("")}</tbody></table><p class="meta">${legend}.</p>`;
}

function figure(chart: { id: string; title: string; svg: string }): string {
  return `<figure data-chart="${escapeHtml(chart.id)}">${chart.svg}<figcaption>${escapeHtml(chart.title)} (report/${escapeHtml(chart.id)}.svg)</figcaption></figure>`;
}

function stageHtml(stage: ReportStage): string {
  const summary = stage.summary ? `<pre>${escapeHtml(JSON.stringify(stage.summary, null, 2))}</pre>` : "";
  const charts = stage.charts.length > 0 ? `<div class="charts">${stage.charts.map(figure).join("")}</div>` : "";
  return `<section class="stage" id="stage-${escapeHtml(stage.dir)}">
<h3>${escapeHtml(stage.dir)} <small>${escapeHtml(stage.kind)}</small> <span class="status-${escapeHtml(stage.status)}">${escapeHtml(stage.status)}</span> <small>${duration(stage.startedAt, stage.finishedAt)}</small></h3>
${charts}
<details><summary>summary</summary>${summary}</details>
</section>`;
}

export function reportHtml(r: ReportInput): string {
  const m = r.manifest;
  const commit = m.git_commit ? `${m.git_commit.slice(0, 10)}${m.git_dirty ? " (dirty)" : ""}` : "no git commit";
  const targets = r.targets.length > 0 ? `<h3>Stage targets</h3><ul class="targets">${r.targets.map((t) => `<li>${escapeHtml(t.replace(/^- /, ""))}</li>`).join("")}</ul>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(m.recipe.name ?? "run")}: posttrain report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(m.recipe.name ?? "run")}</h1>
<p class="meta">${escapeHtml(m.recipe.description ?? "")}<br>
run folder <code>${escapeHtml(r.runDir)}</code> · posttrain ${escapeHtml(m.posttrain_version)} · ${escapeHtml(commit)} · backend ${escapeHtml(m.backend)} · seed ${m.seed} · started ${escapeHtml(m.created_at)}</p>
<h2>Results</h2>
${tableHtml(r.table)}
${r.resultsSvg ? figure({ id: "results", title: "held-out metrics by checkpoint", svg: r.resultsSvg }) : ""}
${targets}
<h2>Stages</h2>
${r.stages.map(stageHtml).join("\n")}
<h2>Manifest</h2>
<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(m, null, 2))}</pre></details>
</body>
</html>
`;
}
