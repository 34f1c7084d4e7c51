/**
 * Agreement with the reference verdicts of open-instruct's MathVerifier and GSM8KVerifier on the project's
 * 186 public cases (test/fixtures/verifiers/README.md). We match all of them; a case we knowingly disagreed on
 * would be listed in KNOWN_DIFFERENCES with the reason.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verify } from "../index.js";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/verifiers/${name}`, import.meta.url), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const cases = fixture("math-gsm8k-cases.jsonl");
const expected = new Map(fixture("math-gsm8k-expected.jsonl").map((e) => [e.id as string, e]));
const KNOWN_DIFFERENCES: Record<string, string> = {};

describe("agreement with the reference MATH / GSM8K verdicts", () => {
  it("has the 186 cases", () => {
    expect(cases.length).toBe(186);
  });

  it.each(cases.map((c) => [c.id as string, c] as const))("%s", (id, c) => {
    const ours = verify(c.verifier as string, c.response as string, { ground_truth: c.ground_truth as string });
    const reference = expected.get(id)!.reference_correct as boolean;
    expect(ours.correct, `${id}: ${JSON.stringify(ours.details)}`).toBe(KNOWN_DIFFERENCES[id] ? !reference : reference);
  });

  it("extracts the reference's first candidate for math rows", () => {
    for (const c of cases.filter((c) => c.verifier === "math")) {
      const ours = verify("math", c.response as string, { ground_truth: c.ground_truth as string });
      const theirs = expected.get(c.id as string)!.candidates as string[];
      expect((ours.details.candidates as string[])[0], c.id as string).toBe(theirs[0]);
    }
  });
});
