/**
 * report.html in a real browser: Debian's chromium, headless, driven by playwright-core (Playwright's own
 * browser download does not work on our machines). The page is built from a small synthetic run folder, opened
 * from disk with every network request refused, and must show every chart (an SVG whose line/point marks have a
 * drawn size) and the results table.
 *
 * Without chromium the test is skipped with the reason in its name, except under CI (CI=true), where a missing
 * browser fails: .ci/run installs it (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { writeRunReport } from "../src/report/index.js";
import { SYNTHETIC_CHART_IDS, writeSyntheticRun } from "../src/report/test-helpers.js";

/** CHROMIUM_PATH, else `chromium` on PATH (Debian's package installs /usr/bin/chromium). */
function findChromium(): string | null {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

const CHROMIUM = findChromium();
const UNDER_CI = process.env.CI === "true";
const root = mkdtempSync(join(tmpdir(), "posttrain-report-browser-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface ChartState {
  id: string;
  width: number;
  height: number;
  /** Line paths and point symbols with a non-empty bounding box. */
  drawnMarks: number;
}

describe("report.html in headless Chromium", () => {
  if (CHROMIUM === null && UNDER_CI) {
    it("needs chromium under CI", () => {
      expect.fail("chromium not found (CI=true): install it with `apt-get update && apt-get install -y chromium` (.ci/run does) or set CHROMIUM_PATH");
    });
    return;
  }
  const title = CHROMIUM === null ? "skipped: chromium not found on PATH (apt-get install -y chromium, or set CHROMIUM_PATH)" : `renders every chart and the table (${CHROMIUM})`;
  if (CHROMIUM === null) console.warn(`report-browser test ${title}`);

  it.skipIf(CHROMIUM === null)(title, async () => {
    const runDir = join(root, "run");
    writeSyntheticRun(runDir);
    const report = await writeRunReport(runDir);

    const userDataDir = mkdtempSync(join(root, "profile-"));
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM!, headless: true, args: ARGS });
    try {
      const refused: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        refused.push(url);
        return route.abort();
      });
      const page = context.pages()[0] ?? (await context.newPage());
      await page.setViewportSize({ width: 1300, height: 900 });
      await page.goto(pathToFileURL(report.htmlFile).href, { waitUntil: "load" });

      const charts: ChartState[] = await page.$$eval("figure[data-chart]", (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector("svg");
          const box = svg?.getBoundingClientRect();
          const marks = [...(svg?.querySelectorAll("g.mark-line path, g.mark-symbol path") ?? [])] as SVGGraphicsElement[];
          const drawn = marks.filter((m) => {
            const b = m.getBBox();
            return b.width > 0 || b.height > 0;
          });
          return { id: figure.getAttribute("data-chart") ?? "", width: box?.width ?? 0, height: box?.height ?? 0, drawnMarks: drawn.length };
        }),
      );
      expect(charts.map((c) => c.id).sort()).toEqual([...SYNTHETIC_CHART_IDS].sort());
      for (const chart of charts) {
        expect(chart.width, chart.id).toBeGreaterThan(100);
        expect(chart.height, chart.id).toBeGreaterThan(100);
        expect(chart.drawnMarks, `${chart.id}: drawn marks`).toBeGreaterThan(0);
      }

      const table = await page.$eval("table.results", (t) => ({
        height: t.getBoundingClientRect().height,
        header: [...t.querySelectorAll("thead th")].map((th) => th.textContent?.trim()),
        rows: [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim())),
      }));
      expect(table.height).toBeGreaterThan(50);
      expect(table.header.slice(0, 3)).toEqual(["checkpoint", "GSM", "MATH"]);
      expect(table.rows.map((r) => r[0])).toEqual(["pretrain (eval-base)", "sft (eval-sft)", "dpo (eval-dpo)", "rlvr (eval-rlvr)"]);
      expect(table.rows[3]![5]).toBe("100.0"); // rlvr: all verified
      expect(await page.locator("details pre").last().textContent()).toContain('"posttrain_version": "0.0.0-test"');
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
