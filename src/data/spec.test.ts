import { describe, expect, it } from "vitest";
import { ifevalGroundTruth, parseIfevalGroundTruth, verifierSpec } from "./spec.js";

const messages = [
  { role: "user" as const, content: "Hi" },
  { role: "assistant" as const, content: "Hello" },
  { role: "user" as const, content: "Write in lowercase." },
];

describe("verifierSpec", () => {
  it("passes gsm8k and math ground truths through", () => {
    expect(verifierSpec({ messages, ground_truth: "7", dataset: "gsm8k" })).toEqual({ ground_truth: "7" });
    expect(verifierSpec({ messages, ground_truth: "\\frac{3}{4}", dataset: "math" })).toEqual({ ground_truth: "\\frac{3}{4}" });
  });

  it("unpacks open-instruct's ifeval ground truth, with the last user turn as the prompt", () => {
    const gt = ifevalGroundTruth(["change_case:english_lowercase", "keywords:existence"], [{}, { keywords: ["tom"] }]);
    expect(gt).toBe('[{"instruction_id":["change_case:english_lowercase","keywords:existence"],"kwargs":[{},{"keywords":["tom"]}]}]');
    expect(verifierSpec({ messages, ground_truth: gt, dataset: "ifeval" })).toEqual({
      instruction_id_list: ["change_case:english_lowercase", "keywords:existence"],
      kwargs: [{}, { keywords: ["tom"] }],
      prompt: "Write in lowercase.",
    });
  });

  it("reads IFEval's own row shape and null kwargs", () => {
    const gt = JSON.stringify({ instruction_id_list: ["punctuation:no_comma"], kwargs: [null] });
    expect(parseIfevalGroundTruth(gt)).toEqual({ instruction_id_list: ["punctuation:no_comma"], kwargs: [null] });
  });

  it("leaves other shapes (Tülu 3's func_name rows, bad JSON, mismatched lengths) to the verifier", () => {
    for (const gt of ['{"func_name": "validate_lowercase", "N": null}', "not json", '[{"instruction_id": ["a", "b"], "kwargs": [{}]}]']) {
      expect(parseIfevalGroundTruth(gt)).toBeUndefined();
      expect(verifierSpec({ messages, ground_truth: gt, dataset: "ifeval" })).toEqual({ ground_truth: gt, prompt: "Write in lowercase." });
    }
  });
});
