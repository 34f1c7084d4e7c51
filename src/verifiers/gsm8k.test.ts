import { describe, expect, it } from "vitest";
import { extractGsm8kAnswer, verifyGsm8k } from "./gsm8k.js";

// Behaviour of open-instruct's GSM8KVerifier (see the reference quirks in test/fixtures/verifiers/README.md).
describe("gsm8k verifier", () => {
  const ok = (response: string, label: string) => verifyGsm8k(response, [label]).correct;

  it("takes the last number, with or without ####", () => {
    expect(ok("24 * 9 = 216 and 216 - 150 = 66.\n#### 66", "66")).toBe(true);
    expect(ok("The answer is 66.", "66")).toBe(true);
    expect(ok("First estimate: 66.\n#### 66\n#### 68", "68")).toBe(true);
    expect(ok("216 - 150 = 66 apples are left.\n#### 66\nThat is 2 more than last week.", "66")).toBe(false);
  });

  it("compares strings, never numbers", () => {
    expect(ok("#### 66.0", "66")).toBe(false);
    expect(ok("The answer is: 0.80", "0.8")).toBe(false);
    expect(ok("which is .8", "0.8")).toBe(false);
    expect(ok("#### 66.5", "66")).toBe(false);
  });

  it("handles $, %, units, thousands commas and a trailing period", () => {
    expect(ok("#### $6.75", "6.75")).toBe(true);
    expect(ok("13 / 50 = 26%.", "26")).toBe(true);
    expect(ok("#### 66 apples", "66")).toBe(true);
    expect(ok("3 * 350,000 = 1,050,000.\n#### 1,050,000", "1050000")).toBe(true);
    expect(extractGsm8kAnswer("1,2,3")).toBe("3"); // re.sub is non-overlapping: "1,2,3" -> "12,3"
  });

  it("reproduces the sign and separator quirks", () => {
    expect(extractGsm8kAnswer("The change is - 19 degrees.")).toBe("19");
    expect(extractGsm8kAnswer("which is 3 750 dollars.")).toBe("750");
    expect(extractGsm8kAnswer("she ate 3/8 of the pizza.")).toBe("8");
    expect(extractGsm8kAnswer("a change of -12 - 7 = -19 degrees")).toBe("-19");
    expect(ok("sixty-six apples", "66")).toBe(false);
  });

  it("compares the whole response when it has no number, case-insensitively", () => {
    expect(ok("Yes", "yes")).toBe(true);
    expect(ok("no number here", "12")).toBe(false);
  });

  it("accepts any label of a list", () => {
    expect(verifyGsm8k("#### 12", ["11", "12"]).correct).toBe(true);
  });
});
