import { describe, expect, it } from "vitest";
import { normalizeRow } from "./normalize.js";
import type { Format } from "./formats.js";

const user = (content: string) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });

/** The problems of a bad row as "field: problem" strings. */
function problems(format: Format, row: unknown): string[] {
  const result = normalizeRow(format, row);
  if (!result.problems) throw new Error(`expected problems, got a row: ${JSON.stringify(result.row)}`);
  return result.problems.map((p) => `${p.field}: ${p.problem}`);
}

function ok<F extends Format>(format: F, row: unknown) {
  const result = normalizeRow(format, row);
  if (result.problems) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.row;
}

describe("SFT rows", () => {
  it("accepts a tulu-3-sft-mixture row with a slash in its id, keeping only role and content", () => {
    const row = ok("sft", {
      id: "ai2-adapt-dev/oasst1_converted_12",
      messages: [{ role: "system", content: "Be brief." }, user("Hi"), { role: "assistant", content: "Hello!", extra: 1 }],
      source: "ai2-adapt-dev/oasst1_converted",
    });
    expect(row).toEqual({
      id: "ai2-adapt-dev/oasst1_converted_12",
      messages: [{ role: "system", content: "Be brief." }, user("Hi"), assistant("Hello!")],
      source: "ai2-adapt-dev/oasst1_converted",
    });
  });

  it("reads Tülu 2's `dataset` as the source and turns an integer id into a string", () => {
    expect(ok("sft", { dataset: "oasst1", id: 7, messages: [user("a"), assistant("b")] })).toMatchObject({ id: "7", source: "oasst1" });
  });

  it("derives a stable id from the content when the row has none", () => {
    const a = ok("sft", { messages: [user("a"), assistant("b")], source: "x" });
    const again = ok("sft", { messages: [user("a"), assistant("b")], source: "y" });
    const other = ok("sft", { messages: [user("a"), assistant("c")], source: "x" });
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(again.id).toBe(a.id);
    expect(other.id).not.toBe(a.id);
  });

  it("names each bad field, all at once", () => {
    expect(problems("sft", { messages: [{ role: "bot", content: 3 }], source: "x" })).toEqual([
      '/messages/0/role: must be one of "system", "user", "assistant"',
      "/messages/0/content: must be string",
    ]);
  });

  it.each([
    ["missing messages", { source: "x" }, "/messages: is required"],
    ["empty messages", { messages: [], source: "x" }, "/messages: must NOT have fewer than 1 items"],
    ["a message without content", { messages: [{ role: "user" }], source: "x" }, "/messages/0/content: is required"],
    ["messages not a list", { messages: "hi", source: "x" }, "/messages: must be array"],
    ["a boolean id", { id: true, messages: [user("a"), assistant("b")], source: "x" }, "/id: must be string,integer"],
    ["no assistant turn", { messages: [user("a")], source: "x" }, "/messages: has no assistant turn"],
    ["no source", { messages: [user("a"), assistant("b")] }, "/source: is required (Tülu 2 rows may give `dataset` instead)"],
    ["a number for source", { messages: [user("a"), assistant("b")], source: 1 }, "/source: must be string"],
  ])("rejects %s", (_name, row, message) => {
    expect(problems("sft", row)).toEqual([message]);
  });
});

describe("preference rows", () => {
  const chosen = [user("2+2?"), assistant("4")];
  const rejected = [user("2+2?"), assistant("5")];

  it("accepts a Tülu 3 preference row whose prompt is the first user turn", () => {
    const row = ok("preference", { id: "pref/1", prompt: "2+2?", chosen, rejected, source: "s" });
    expect(row).toEqual({ id: "pref/1", prompt: "2+2?", chosen, rejected, source: "s" });
  });

  it("derives the prompt from the first user turn when it is absent", () => {
    expect(ok("preference", { chosen, rejected, source: "s" }).prompt).toBe("2+2?");
  });

  it.each([
    ["missing rejected", { chosen, source: "s" }, ["/rejected: is required"]],
    ["a non-string prompt", { prompt: ["2+2?"], chosen, rejected, source: "s" }, ["/prompt: must be string"]],
    ["chosen ending with a user turn", { chosen: [user("a")], rejected: [user("a")], source: "s" }, ["/chosen/0/role: the last turn must be the assistant's", "/rejected/0/role: the last turn must be the assistant's"]],
    ["different prompts", { chosen, rejected: [user("3+3?"), assistant("6")], source: "s" }, ["/rejected: must have the same turns as chosen before the last one"]],
    ["no user turn", { chosen: [assistant("4")], rejected: [assistant("5")], source: "s" }, ["/chosen: has no user turn"]],
  ])("rejects %s", (_name, row, messages) => {
    expect(problems("preference", row)).toEqual(messages);
  });
});

describe("RLVR rows", () => {
  const messages = [user("What is 3 + 4?")];

  it("accepts RLVR-GSM-MATH-IF rows: MATH in capitals, a bare answer, null constraint fields", () => {
    const row = ok("rlvr", { messages, ground_truth: "\\frac{3}{4}", dataset: "MATH", constraint_type: null, constraint: null });
    expect(row).toMatchObject({ ground_truth: "\\frac{3}{4}", dataset: "math", constraint_type: null, constraint: null });
    expect(row.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("accepts Tülu 3's IF rows whose ground truth names a function", () => {
    const gt = '{"func_name": "validate_lowercase", "N": null}';
    const row = ok("rlvr", { id: "ifeval/3", messages, ground_truth: gt, dataset: "ifeval", constraint_type: "Change Cases", constraint: "all lowercase" });
    expect(row).toMatchObject({ id: "ifeval/3", ground_truth: gt, dataset: "ifeval", constraint_type: "Change Cases" });
  });

  it("unwraps one-element lists and numbers", () => {
    expect(ok("rlvr", { messages, ground_truth: ["7"], dataset: ["gsm8k"] })).toMatchObject({ ground_truth: "7", dataset: "gsm8k" });
    expect(ok("rlvr", { messages, ground_truth: 7, dataset: "gsm8k" }).ground_truth).toBe("7");
    const list = [{ instruction_id: ["punctuation:no_comma"], kwargs: [{}] }];
    expect(ok("rlvr", { messages, ground_truth: list, dataset: "ifeval" }).ground_truth).toBe(JSON.stringify(list));
  });

  it.each([
    ["an unknown verifier", { messages, ground_truth: "7", dataset: "code" }, ['/dataset: names no verifier: "code" (expected one of gsm8k, math, ifeval)']],
    ["an empty ground truth", { messages, ground_truth: " ", dataset: "gsm8k" }, ["/ground_truth: must not be empty"]],
    ["a missing ground truth", { messages, dataset: "gsm8k" }, ["/ground_truth: is required"]],
    ["a boolean ground truth", { messages, ground_truth: true, dataset: "gsm8k" }, ["/ground_truth: must be string,number,array,object"]],
    ["a numeric dataset", { messages, ground_truth: "7", dataset: 3 }, ["/dataset: must be a string (or a list holding one string)"]],
    ["a numeric constraint", { messages, ground_truth: "7", dataset: "gsm8k", constraint: 2 }, ["/constraint: must be string,null"]],
    ["a prompt ending with the assistant", { messages: [user("q"), assistant("a")], ground_truth: "7", dataset: "gsm8k" }, ["/messages/1/role: the prompt must end with a user turn"]],
  ])("rejects %s", (_name, row, messages) => {
    expect(problems("rlvr", row)).toEqual(messages);
  });
});

describe("text rows", () => {
  it("accepts Dolma-like rows and rows with only text", () => {
    expect(ok("text", { id: "doc/1", text: "Tom has 3 apples.", source: "world" })).toEqual({ id: "doc/1", text: "Tom has 3 apples.", source: "world" });
    expect(ok("text", { text: "x" })).toMatchObject({ text: "x", source: "" });
  });

  it.each([
    ["missing text", { source: "s" }, ["/text: is required"]],
    ["a numeric text", { text: 5 }, ["/text: must be string"]],
  ])("rejects %s", (_name, row, messages) => {
    expect(problems("text", row)).toEqual(messages);
  });
});
