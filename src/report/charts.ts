/**
 * Charts of a run, drawn with Vega-Lite and rendered to SVG in Node by Vega's headless View (`toSVG()` needs
 * no canvas), so the report page carries finished drawings and no script. Per stage: loss, reward, KL and
 * accuracy curves from its metrics.jsonl, each chart holding every column of that family (train and held-out
 * `eval/...` series together); and one chart of the held-out metrics across checkpoints.
 */
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";
import type { MetricsRow } from "../train/index.js";
import type { ResultsTable } from "./table.js";

/** The chart families and which metrics.jsonl columns belong to each (TRL / this project's names). */
export const CHART_GROUPS = [
  { id: "loss", title: "loss", matches: (key: string) => /(^|[/_])loss$/.test(key) },
  {
    id: "reward",
    title: "reward",
    matches: (key: string) => /(^|\/)rewards\/(chosen|rejected|margins)$/.test(key) || /^reward_(mean|std)$/.test(key),
  },
  { id: "kl", title: "KL to the reference", matches: (key: string) => /(^|[/_])kl($|_)/.test(key) },
  { id: "accuracy", title: "accuracy", matches: (key: string) => /accurac(y|ies)/.test(key) },
] as const;

export interface ChartSpec {
  /** File-name-safe id, unique within a report (e.g. `03-sft-loss`). */
  id: string;
  title: string;
  spec: TopLevelSpec;
}

interface Point {
  step: number;
  value: number;
  series: string;
  /** Series logged only now and then (held-out evals): drawn with points, since a line alone may be invisible. */
  sparse: boolean;
}

const SIZE = { width: 380, height: 200 };

/** Line chart of `points` by step, one colour per series; sparse series get dots. */
function lineChart(title: string, points: Point[], yTitle: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    ...SIZE,
    data: { values: points },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } },
      color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom", columns: 2, labelLimit: 260 } },
    },
    layer: [{ mark: { type: "line", strokeWidth: 1.5 } }, { mark: { type: "point", filled: true, size: 30 }, transform: [{ filter: "datum.sparse" }] }],
  } as TopLevelSpec;
}

/** The charts of one stage's metrics rows: one per family that has at least one finite value. */
export function stageCharts(stageId: string, stageName: string, rows: readonly MetricsRow[]): ChartSpec[] {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== "step");
  const charts: ChartSpec[] = [];
  for (const group of CHART_GROUPS) {
    const members = keys.filter((k) => group.matches(k));
    const points: Point[] = [];
    for (const key of members) {
      const values = rows.filter((r) => typeof r[key] === "number" && Number.isFinite(r[key]));
      const sparse = values.length <= Math.max(1, rows.length / 4);
      for (const r of values) points.push({ step: r.step, value: r[key] as number, series: key, sparse });
    }
    if (points.length === 0) continue;
    charts.push({ id: `${stageId}-${group.id}`, title: `${stageName}: ${group.title}`, spec: lineChart(`${stageName}: ${group.title}`, points, group.title) });
  }
  return charts;
}

/** Held-out metrics (percent columns of the results table) across checkpoints, in run order. */
export function resultsChart(table: ResultsTable): ChartSpec | null {
  const columns = table.columns.filter((c) => c.percent);
  const values = table.rows.flatMap((row, order) =>
    columns
      .filter((c) => row.metrics[c.key] !== undefined)
      .map((c) => ({ checkpoint: `${order + 1}. ${row.checkpoint}`, metric: c.label, value: 100 * row.metrics[c.key]! })),
  );
  if (values.length === 0) return null;
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "held-out metrics by checkpoint",
    width: 520,
    height: 240,
    data: { values },
    mark: { type: "line", point: { filled: true, size: 40 } },
    encoding: {
      x: { field: "checkpoint", type: "ordinal", title: null, sort: null, axis: { labelAngle: 0 } },
      y: { field: "value", type: "quantitative", title: "%", scale: { domain: [0, 100] } },
      color: { field: "metric", type: "nominal", title: null, sort: null, legend: { orient: "right" } },
    },
  } as TopLevelSpec;
  return { id: "results", title: "held-out metrics by checkpoint", spec };
}

/**
 * Render a Vega-Lite spec to an SVG string. Element ids (clip paths, gradients) get `idPrefix` so several
 * charts inlined in one page never resolve each other's `url(#id)`.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return svg.replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`);
  } finally {
    view.finalize();
  }
}
