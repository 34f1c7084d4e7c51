/**
 * `posttrain report RUN_DIR`: (re)write a run folder's results table (results.md, results.json), its charts
 * (report/*.svg) and report.html from the folder's files, and print the table. `posttrain run` does the same
 * at the end of a run; this is for a run that stopped early or was made by an older version.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeRunReport } from "../report/index.js";

const HELP = `usage: posttrain report RUN_DIR

Writes RUN_DIR/results.md, results.json, report/*.svg and report.html, and prints the results table.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const runDir = resolve(positionals[0]!);
  if (!existsSync(join(runDir, "manifest.json"))) {
    console.error(`posttrain report: ${runDir} has no manifest.json (not a run folder)`);
    return 2;
  }
  const report = await writeRunReport(runDir);
  console.log(`${report.markdown}\nreport: ${report.htmlFile} (${report.svgFiles.length} charts in report/)`);
  return 0;
}
