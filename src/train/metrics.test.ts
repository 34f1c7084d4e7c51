import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MetricsWriter, readMetrics } from "./metrics.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "posttrain-metrics-"));
  dirs.push(dir);
  return path.join(dir, "sub", "metrics.jsonl");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("MetricsWriter", () => {
  it("writes one JSON object per line, visible before close", () => {
    const file = tempFile();
    const writer = new MetricsWriter(file);
    writer.append({ step: 1, stage: "sft", loss: 2.5, lr: 1e-5, grad_norm: 0.7 });
    // Already on disk although the writer is still open (a killed run keeps it).
    expect(fs.readFileSync(file, "utf8")).toBe('{"step":1,"stage":"sft","loss":2.5,"lr":0.00001,"grad_norm":0.7}\n');
    writer.append({ step: 2, stage: "sft", loss: NaN, "rewards/chosen": 0.25 });
    writer.close();
    expect(readMetrics(file)).toEqual([
      { step: 1, stage: "sft", loss: 2.5, lr: 1e-5, grad_norm: 0.7 },
      { step: 2, stage: "sft", loss: null, "rewards/chosen": 0.25 },
    ]);
    expect(() => writer.append({ step: 3 })).toThrow(/closed/);
  });

  it("on resume drops rows after the checkpoint step and keeps appending", () => {
    const file = tempFile();
    const first = new MetricsWriter(file);
    for (let step = 1; step <= 5; step++) first.append({ step, loss: step });
    first.close();
    const resumed = new MetricsWriter(file, { resumeAfterStep: 3 });
    resumed.append({ step: 4, loss: 40 });
    resumed.close();
    expect(readMetrics(file).map((r) => [r.step, r.loss])).toEqual([[1, 1], [2, 2], [3, 3], [4, 40]]);
  });

  it("reads past a torn last line but names a bad line elsewhere", () => {
    const file = tempFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"step":1,"loss":1}\n{"step":2,"lo');
    expect(readMetrics(file)).toEqual([{ step: 1, loss: 1 }]);
    fs.writeFileSync(file, '{"step":1\n{"step":2}\n');
    expect(() => readMetrics(file)).toThrow(/metrics\.jsonl:1/);
  });
});
