/**
 * Agreement with the reference verdicts on IFEval's 541 public prompts (GPT-4 responses), scored by
 * google-research instruction_following_eval with nltk 3.8 and langdetect 1.0.9 (seed 0); see
 * test/fixtures/ifeval/README.md. We know of no instruction where we differ: any difference fails
 * the test (and is printed). The threshold the issue sets (97%) is asserted as well.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifyIfeval } from "./index.js";

interface Case { id: string; prompt: string; instruction_id_list: string[]; kwargs: Record<string, unknown>[]; response: string }
interface Expected { id: string; follow_instruction_list: boolean[]; loose: { follow_instruction_list: boolean[] } }

const fixture = (name: string) => new URL(`../../../test/fixtures/ifeval/${name}`, import.meta.url);
const readJsonl = <T>(name: string): T[] =>
  readFileSync(fixture(name), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as T);

describe("IFEval public set agreement", () => {
  const cases = readJsonl<Case>("cases.jsonl");
  const expected = new Map(readJsonl<Expected>("expected.jsonl").map((e) => [e.id, e]));

  it("agrees per instruction (strict and loose) and per prompt", () => {
    let total = 0;
    let strictAgree = 0;
    let looseAgree = 0;
    let promptsStrict = 0;
    let promptsLoose = 0;
    const differences: string[] = [];
    for (const c of cases) {
      const want = expected.get(c.id)!;
      const got = verifyIfeval(c.response, c).details;
      let allStrict = true;
      let allLoose = true;
      c.instruction_id_list.forEach((id, i) => {
        total++;
        const s = got.follow_instruction_list[i] === want.follow_instruction_list[i];
        const l = got.loose.follow_instruction_list[i] === want.loose.follow_instruction_list[i];
        strictAgree += Number(s);
        looseAgree += Number(l);
        allStrict &&= s;
        allLoose &&= l;
        if (!s) differences.push(`strict ${c.id} ${id}`);
        if (!l) differences.push(`loose ${c.id} ${id}`);
      });
      promptsStrict += Number(allStrict);
      promptsLoose += Number(allLoose);
    }
    console.log(
      `IFEval agreement: instructions strict ${strictAgree}/${total}, loose ${looseAgree}/${total}; ` +
        `prompts strict ${promptsStrict}/${cases.length}, loose ${promptsLoose}/${cases.length}` +
        (differences.length ? `\n  differences:\n  ${differences.join("\n  ")}` : ""),
    );
    expect(total).toBe(834);
    expect(differences).toEqual([]);
    expect(strictAgree / total).toBeGreaterThanOrEqual(0.97);
    expect(looseAgree / total).toBeGreaterThanOrEqual(0.97);
  });

  it("reproduces the reference accuracy of GPT-4 (README: strict 417/541 and 698/834, loose 431/541 and 714/834)", () => {
    let prompts = 0;
    let instructions = 0;
    let loosePrompts = 0;
    let looseInstructions = 0;
    for (const c of cases) {
      const d = verifyIfeval(c.response, c).details;
      prompts += Number(d.follow_all_instructions);
      instructions += d.follow_instruction_list.filter(Boolean).length;
      loosePrompts += Number(d.loose.follow_all_instructions);
      looseInstructions += d.loose.follow_instruction_list.filter(Boolean).length;
    }
    expect([prompts, instructions, loosePrompts, looseInstructions]).toEqual([417, 698, 431, 714]);
  });
});
