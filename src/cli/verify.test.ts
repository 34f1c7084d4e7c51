/** `posttrain verify` as a subprocess of the built CLI (vitest's global setup builds dist/). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "posttrain-verify-"));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "verify", ...args], { encoding: "utf8" });
const rows = [
  { id: "a", verifier: "math", response: "So $x = \\boxed{\\frac{3}{8}}$.", ground_truth: "0.375" },
  { id: "b", dataset: "gsm8k", response: "#### 66.0", ground_truth: "66" },
  { id: "c", dataset: "MATH", response: "Final Answer: The final answer is $25,000$. I hope it is correct.", ground_truth: "25000" },
];

function writeRows(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("posttrain verify", () => {
  it("writes one line per row in input order, with a summary on stderr", () => {
    const input = writeRows("ok.jsonl", rows.map((r) => JSON.stringify(r)));
    const out = join(dir, "ok.out.jsonl");
    const r = run("--in", input, "--out", out, "--concurrency", "2");
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.verifier, l.correct, l.reward])).toEqual([
      ["a", "math", true, 10],
      ["b", "gsm8k", false, 0],
      ["c", "math", true, 10],
    ]);
    expect(r.stderr).toMatch(/gsm8k\s+0\/1/);
    expect(r.stderr).toMatch(/math\s+2\/2 = 100.0%/);
  });

  it("stops at a malformed row, naming its line and field", () => {
    const input = writeRows("bad.jsonl", [JSON.stringify(rows[0]), "{not json", JSON.stringify({ id: "z", verifier: "math", response: "1" })]);
    const r = run("--in", input);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("bad.jsonl:2");
    const missing = run("--in", writeRows("bad2.jsonl", [JSON.stringify({ id: "z", verifier: "math", response: "1" })]));
    expect(missing.stderr).toMatch(/bad2\.jsonl:1: field ground_truth/);
    const unknown = run("--in", writeRows("bad3.jsonl", [JSON.stringify({ id: "z", verifier: "code", response: "1" })]));
    expect(unknown.stderr).toMatch(/bad3\.jsonl:1: field verifier: unknown verifier "code"/);
  });

  it("skips malformed rows with --skip-invalid and reports them", () => {
    const input = writeRows("skip.jsonl", [JSON.stringify(rows[0]), "[1, 2]", JSON.stringify(rows[1])]);
    const r = run("--in", input, "--skip-invalid", "--correct-reward", "1");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.reward])).toEqual([["a", 1], ["b", 0]]);
    expect(r.stderr).toMatch(/skipped .*skip\.jsonl:2/);
  });

  it("requires --in", () => {
    expect(run().status).toBe(2);
  });
});
