/** The committed datasets/world: reproducible byte for byte, valid, and free of eval leakage. */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ContaminationIndex } from "../contamination.js";
import { promptOf, type Format } from "../formats.js";
import { readAll, validateFile } from "../jsonl.js";
import { assertNoLeakage, SIZES, type WorldFile } from "./build.js";
import { verifierCheck } from "./check.js";
import { generateWorld, sha256 } from "./generate.js";

const committed = fileURLToPath(new URL("../../../datasets/world/", import.meta.url));
const FORMAT_OF: Record<string, Format> = { pretrain: "text", anneal: "text", sft: "sft", chat: "sft", prefs: "preference", rlvr: "rlvr" };
const formatOf = (file: string): Format => FORMAT_OF[file.replace(/(-train|-eval)?\.jsonl$/, "")]!;
const dataFiles = readdirSync(committed).filter((f) => f.endsWith(".jsonl")).sort();

describe("datasets/world", () => {
  it("regenerates byte for byte from its seed and size, data card included", async () => {
    const out = mkdtempSync(join(tmpdir(), "posttrain-world-"));
    await generateWorld({ out, seed: 1, sizes: SIZES.default, sizeArgs: "--size default", check: verifierCheck });
    const digests = (dir: string) => Object.fromEntries([...dataFiles, "README.md"].map((f) => [f, sha256(readFileSync(join(dir, f), "utf8"))]));
    expect(readdirSync(out).sort()).toEqual(readdirSync(committed).sort());
    expect(digests(out)).toEqual(digests(committed));
  });

  it("lists every file's SHA-256 in its data card", () => {
    const card = readFileSync(join(committed, "README.md"), "utf8");
    for (const f of dataFiles) {
      expect(card).toContain(`| \`${f}\` | ${formatOf(f)} |`);
      expect(card).toContain(sha256(readFileSync(join(committed, f), "utf8")));
    }
  });

  it.each(dataFiles)("%s validates in its format, with unique ids", async (file) => {
    const path = join(committed, file);
    const { rows } = await validateFile(path, formatOf(file));
    const ids = (await readAll(path, formatOf(file))).map((r) => r.id);
    expect(new Set(ids).size).toBe(rows);
  });

  it("has no eval prompt inside any training file", async () => {
    const prompts = [];
    for (const f of dataFiles.filter((x) => x.includes("-eval"))) {
      for (const r of await readAll(join(committed, f), formatOf(f))) prompts.push({ where: f, id: r.id, text: promptOf(formatOf(f), r) });
    }
    const index = new ContaminationIndex(prompts);
    for (const f of dataFiles.filter((x) => !x.includes("-eval"))) {
      for (const r of await readAll(join(committed, f), formatOf(f))) index.addTrain(promptOf(formatOf(f), r));
    }
    expect(prompts.length).toBe(950);
    expect(index.results().filter((r) => r.exact)).toEqual([]);
  });

  it("the generator's leakage gate catches an eval prompt copied into training with other numbers", async () => {
    const load = async (name: string, format: Format, split: "train" | "eval"): Promise<WorldFile> => ({
      name,
      format,
      split,
      purpose: "",
      rows: await readAll(join(committed, `${name}.jsonl`), format),
    });
    const train = await load("rlvr-train", "rlvr", "train");
    const evalFile = await load("rlvr-eval", "rlvr", "eval");
    expect(() => assertNoLeakage([train, evalFile])).not.toThrow();
    const at = evalFile.rows.findIndex((r) => "dataset" in r && r.dataset === "gsm8k");
    const leaked = JSON.parse(JSON.stringify(evalFile.rows[at]));
    leaked.messages[0].content = leaked.messages[0].content.replace(/\d+/, (n: string) => String(Number(n) + 1));
    train.rows.push({ ...leaked, id: "copied" });
    expect(() => assertNoLeakage([train, evalFile])).toThrow(new RegExp(`1 eval prompt\\(s\\) leak into training data .*rlvr-eval\\.jsonl:${at + 1} `));
  });
});
