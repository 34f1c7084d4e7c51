/** `posttrain data ...` through the built CLI, as a user runs it (vitest's global setup builds dist/). */
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "posttrain-data-cli-"));

function posttrain(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, "data", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const world = join(dir, "world");
const files = ["anneal", "chat-eval", "prefs-eval", "prefs-train", "pretrain", "rlvr-eval", "rlvr-train", "sft-eval", "sft-train"].map((f) => `${f}.jsonl`);

describe("posttrain data", () => {
  it("generate writes every split and a data card, the same bytes every time", () => {
    const first = posttrain("generate", "--out", world, "--seed", "3", "--size", "tiny", "--count", "rlvr-eval=12");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(readdirSync(world).sort()).toEqual(["README.md", ...files].sort());
    expect(readFileSync(join(world, "rlvr-eval.jsonl"), "utf8").trim().split("\n")).toHaveLength(12);
    const card = readFileSync(join(world, "README.md"), "utf8");
    expect(card).toContain("posttrain data generate --out DIR --seed 3 --size tiny --count rlvr-eval=12");
    const again = join(dir, "again");
    expect(posttrain("generate", "--out", again, "--seed", "3", "--size", "tiny", "--count", "rlvr-eval=12").code).toBe(0);
    for (const f of [...files, "README.md"]) expect(readFileSync(join(again, f), "utf8")).toBe(readFileSync(join(world, f), "utf8"));
  });

  it("generate rejects bad sizes and counts with a message", () => {
    expect(posttrain("generate", "--out", join(dir, "x"), "--size", "huge")).toMatchObject({ code: 1, stderr: expect.stringContaining("--size must be one of tiny, small, default, large") });
    expect(posttrain("generate", "--out", join(dir, "x"), "--count", "sft=3")).toMatchObject({ code: 1, stderr: expect.stringContaining("--count wants KEY=N") });
  });

  it("validate passes good files and lists every problem of a bad one with file, line and field", () => {
    const ok = posttrain("validate", "--format", "sft", join(world, "sft-train.jsonl"), join(world, "sft-eval.jsonl"));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/sft-train\.jsonl: 60 valid sft rows/);
    const bad = join(dir, "bad.jsonl");
    copyFileSync(join(world, "sft-eval.jsonl"), bad);
    appendFileSync(bad, '{"messages": [{"role": "bot", "content": "x"}], "source": "s"}\n{nope\n');
    const res = posttrain("validate", "--format", "sft", bad);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`2 invalid row(s):`);
    expect(res.stderr).toContain(`${bad}:21: field /messages/0/role: must be one of "system", "user", "assistant"`);
    expect(res.stderr).toContain(`${bad}:22: field (row): invalid JSON`);
    const skipped = posttrain("validate", "--format", "sft", "--skip-invalid", bad);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain(`${bad}: 20 valid sft rows, 2 invalid skipped`);
  });

  it("check-contamination reports no leak in the world and finds a planted one", () => {
    const train = ["pretrain", "anneal", "sft-train", "prefs-train", "rlvr-train"].map((f) => join(world, `${f}.jsonl`)).join(",");
    const evals = ["sft-eval", "prefs-eval", "rlvr-eval"].map((f) => join(world, `${f}.jsonl`));
    const clean = posttrain("check-contamination", "--train", train, "--eval", evals[0]!, "--eval", `${evals[1]},${evals[2]}`);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain("exact leaks (normalised eval prompt found in training data): 0");
    expect(clean.stdout).toMatch(/8-gram overlap: mean \d+\.\d%, \d+ of 52 prompts at or above 0\.5/);
    const evalRow = JSON.parse(readFileSync(evals[2]!, "utf8").split("\n")[0]!);
    const leaky = join(dir, "leaky.jsonl");
    writeFileSync(leaky, JSON.stringify({ text: `Some text. ${evalRow.messages.at(-1).content.replace(/\d/g, "7")} More text.` }) + "\n");
    const found = posttrain("check-contamination", "--train", leaky, "--eval", evals[2]!, "--json");
    expect(found.code).toBe(1);
    const summary = JSON.parse(found.stdout);
    const hit = summary.exact.find((e: { id: string }) => e.id === evalRow.id);
    expect(hit).toMatchObject({ exact: true, overlap: 1 });
  });
});
