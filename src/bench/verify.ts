#!/usr/bin/env node
/**
 * `npm run bench:verify` (node dist/bench/verify.js [--seconds S]): checks per second of each verifier in one
 * process, on the project's public cases (test/fixtures: 541 IFEval prompts with GPT-4's responses, 155 MATH
 * and 31 GSM8K answers covering the answer forms of the MATH data), beside the Python reference
 * implementations on the same machines (../shared/perf/README.md, copied below). IFEval is counted per
 * instruction check, as the reference figure is.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { verify, type VerifySpec } from "../verifiers/index.js";

/** Python references, one process (../shared/perf/README.md): open-instruct GSM8KVerifier and MathVerifier, Google IFEval. */
const PYTHON_CHECKS_PER_S = { gsm8k: 180_000, math: 115, ifeval: 7_000 } as const;

interface Case {
  verifier: keyof typeof PYTHON_CHECKS_PER_S;
  response: string;
  spec: VerifySpec;
  /** Checks one verification counts for (IFEval: its instructions). */
  checks: number;
}

function readCases(file: string): Case[] {
  const url = new URL(`../../test/fixtures/${file}`, import.meta.url);
  return readFileSync(url, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const row = JSON.parse(line) as Record<string, unknown>;
      const ids = row.instruction_id_list as string[] | undefined;
      return {
        verifier: row.verifier as Case["verifier"],
        response: row.response as string,
        spec: { ground_truth: row.ground_truth as string, instruction_id_list: ids, kwargs: row.kwargs as VerifySpec["kwargs"], prompt: row.prompt as string },
        checks: ids?.length ?? 1,
      };
    });
}

/** Runs the cases round-robin for `seconds` after one warm-up pass; returns checks per second. */
function measure(cases: Case[], seconds: number): { checksPerS: number; rounds: number } {
  for (const c of cases) verify(c.verifier, c.response, c.spec);
  let checks = 0;
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const c of cases) {
      verify(c.verifier, c.response, c.spec);
      checks += c.checks;
    }
    rounds++;
  }
  return { checksPerS: checks / ((performance.now() - start) / 1000), rounds };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { seconds: { type: "string", default: "3" } } });
  const seconds = Number(values.seconds);
  const all = [...readCases("verifiers/math-gsm8k-cases.jsonl"), ...readCases("ifeval/cases.jsonl")];
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
  const rows: string[] = [];
  for (const verifier of ["gsm8k", "math", "ifeval"] as const) {
    const cases = all.filter((c) => c.verifier === verifier);
    console.error(`${verifier}: ${cases.length} cases, ${seconds} s ...`);
    const { checksPerS, rounds } = measure(cases, seconds);
    const python = PYTHON_CHECKS_PER_S[verifier];
    rows.push(`| ${verifier} | ${cases.length} (${rounds} rounds) | ${fmt(checksPerS)} | ${fmt(python)} | ${(checksPerS / python).toFixed(1)}x |`);
  }
  console.log(
    [
      `## posttrain bench:verify (Node ${process.version}, one process)`,
      "",
      "| verifier | cases | checks/s | Python reference checks/s | ratio |",
      "|---|---:|---:|---:|---:|",
      ...rows,
      "",
      "IFEval counts instruction checks (strict and loose verdicts of one instruction = one check).",
    ].join("\n"),
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench:verify: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
