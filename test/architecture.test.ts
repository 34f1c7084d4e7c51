/**
 * Boundaries are code, not convention: data flows one way (data -> tokens -> model -> loss -> optimizer ->
 * checkpoint), algorithms never import each other, verifiers stay free of tfjs, only cli/ (and the bench
 * scripts) touch argv, env and the console, and a module is entered through its index.ts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The top-level module a file belongs to: "model", "sft", ... or "" for src/*.ts. */
function moduleOf(file: string): string {
  const parts = relative(SRC, file).split("/");
  return parts.length > 1 ? parts[0]! : "";
}

interface Import {
  file: string;
  specifier: string;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const found: Import[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) found.push({ file, specifier: m[1]! });
  for (const m of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) found.push({ file, specifier: m[1]! });
  return found;
}

/** The module a relative import lands in. */
function targetModule(imp: Import): string | null {
  if (!imp.specifier.startsWith(".")) return null;
  const target = join(imp.file, "..", imp.specifier);
  return moduleOf(target);
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

const FOUNDATION = ["engine", "model", "tokenizer", "data", "train", "checkpoint", "recipe", "verifiers"];
/** Held-out evaluation (generate + verify): the eval stage, and a library the training stages call mid-run. */
const EVALUATION = ["eval"];
const ALGORITHMS = ["pretrain", "sft", "dpo", "rlvr"];
const ABOVE = ["stages", "report", "cli", "bench"];

describe("architecture", () => {
  it("foundation modules never import algorithms, stages, report or the CLI", () => {
    const bad = imports.filter(
      (i) => FOUNDATION.includes(moduleOf(i.file)) && [...EVALUATION, ...ALGORITHMS, ...ABOVE].includes(targetModule(i) ?? ""),
    );
    expect(bad.map((i) => `${relative(SRC, i.file)} -> ${i.specifier}`)).toEqual([]);
  });

  it("evaluation imports no algorithm", () => {
    const bad = imports.filter((i) => EVALUATION.includes(moduleOf(i.file)) && [...ALGORITHMS, ...ABOVE].includes(targetModule(i) ?? ""));
    expect(bad.map((i) => `${relative(SRC, i.file)} -> ${i.specifier}`)).toEqual([]);
  });

  it("algorithms never import each other, nor stages, report or the CLI", () => {
    const bad = imports.filter((i) => {
      const from = moduleOf(i.file);
      const to = targetModule(i) ?? "";
      return ALGORITHMS.includes(from) && to !== from && [...ALGORITHMS, ...ABOVE].includes(to);
    });
    expect(bad.map((i) => `${relative(SRC, i.file)} -> ${i.specifier}`)).toEqual([]);
  });

  it("only the CLI, the report and the package entry import the orchestration; nothing imports the CLI", () => {
    const bad = imports.filter((i) => {
      const from = moduleOf(i.file);
      const to = targetModule(i) ?? "";
      return (to === "cli" && from !== "cli") || (to === "stages" && !["stages", "report", "cli", "bench", ""].includes(from));
    });
    expect(bad.map((i) => `${relative(SRC, i.file)} -> ${i.specifier}`)).toEqual([]);
  });

  it("verifiers import no tfjs and nothing but errors from outside their folder", () => {
    const bad = imports.filter((i) => {
      if (moduleOf(i.file) !== "verifiers") return false;
      if (i.specifier.startsWith("@tensorflow/")) return true;
      const to = targetModule(i);
      return to !== null && to !== "verifiers" && to !== "";
    });
    expect(bad.map((i) => `${relative(SRC, i.file)} -> ${i.specifier}`)).toEqual([]);
  });

  it("another module is entered through its index.ts", () => {
    const bad = imports.filter((i) => {
      const to = targetModule(i);
      if (to === null || to === "" || to === moduleOf(i.file)) return false;
      return !i.specifier.endsWith("/index.js");
    });
    expect(bad.map((i) => `${relative(SRC, i.file)} -> ${i.specifier}`)).toEqual([]);
  });

  it("only cli/ and bench/ read argv or env, or print", () => {
    const pattern = /process\.(argv|env|stdout|stderr|exit)\b|console\.(log|error|warn|info)\(/;
    const bad = files.filter((f) => !["cli", "bench"].includes(moduleOf(f)) && pattern.test(readFileSync(f, "utf8")));
    expect(bad.map((f) => relative(SRC, f))).toEqual([]);
  });
});
