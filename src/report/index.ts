/**
 * Run reports: the Tülu-style results table (results.md / results.json), the stage-target checks, charts of
 * every stage's metrics rendered to SVG with Vega-Lite, and the self-contained report.html.
 */
export { writeRunReport, completedStages, type RunReport } from "./write.js";
export {
  resultsTable,
  resultsMarkdown,
  resultsJson,
  verifiedAccuracy,
  formatValue,
  RESULT_COLUMNS,
  type ResultsTable,
  type ResultsRow,
  type ResultsColumn,
} from "./table.js";
export { targetChecks, targetLines, DPO_PREFERENCE_TARGET, type TargetCheck } from "./targets.js";
export { stageCharts, resultsChart, renderSvg, CHART_GROUPS, type ChartSpec } from "./charts.js";
export { reportHtml, escapeHtml, type ReportInput, type ReportStage } from "./html.js";
