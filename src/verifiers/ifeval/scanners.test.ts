/**
 * The linear scanners must give exactly what the reference regexes give: checked against the
 * regexes themselves (JS spellings of the Python patterns) on many random short strings, and
 * timed on the hostile inputs that make the regexes quadratic.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../rng.js";
import { PY_SPACE, pyIsBlank, pyLstripChars, pyRstripChars } from "./pystr.js";
import { countBullets, countPlaceholders, hasTitle } from "./scanners.js";

const regexPlaceholders = (s: string) => (s.match(/\[[^\n]*?\]/g) ?? []).length;
const regexTitle = (s: string) => (s.match(/<<[^\n]+>>/g) ?? []).some((t) => !pyIsBlank(pyRstripChars(pyLstripChars(t, "<"), ">")));
const regexBullets = (s: string) =>
  (s.match(new RegExp(`(?<![^\\n])[${PY_SPACE}]*\\*[^*][^\\n]*`, "g")) ?? []).length +
  (s.match(new RegExp(`(?<![^\\n])[${PY_SPACE}]*-[^\\n]*`, "g")) ?? []).length;

describe("linear scanners", () => {
  it("agree with the regexes on random strings", () => {
    const rng = new Rng(7);
    const alphabet = ["[", "]", "<", ">", "*", "-", "\n", " ", "\t", "a", "b", "\r"];
    for (let t = 0; t < 20000; t++) {
      const len = rng.int(0, 14);
      let s = "";
      for (let i = 0; i < len; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
      expect([countPlaceholders(s), hasTitle(s), countBullets(s)], JSON.stringify(s)).toEqual([regexPlaceholders(s), regexTitle(s), regexBullets(s)]);
    }
  });

  it("stay fast where the regexes are quadratic", () => {
    const t0 = Date.now();
    expect(countPlaceholders("[".repeat(200_000))).toBe(0);
    expect(hasTitle("<<".repeat(100_000))).toBe(false);
    expect(countBullets("\n".repeat(200_000))).toBe(0);
    expect(countBullets(" ".repeat(200_000) + "- x")).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
