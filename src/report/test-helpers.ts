/**
 * A small synthetic run folder (no training): manifest.json, result.json per finished stage, metrics.jsonl
 * with the columns the real runners log, and eval generations, shaped like a Tülu pipeline run. Used by the
 * report tests here and by the headless-browser test in test/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface StageSpec {
  name: string;
  kind: string;
  makesModel: boolean;
  metrics?: Record<string, number>[];
  /** eval stages: the evaluated stage's name and [verifier, correct] samples plus EOS flags. */
  evaluates?: string;
  samples?: { verifier: string | null; correct: boolean | null; eos: boolean }[];
}

const steps = (n: number, row: (step: number) => Record<string, number>) => Array.from({ length: n }, (_, i) => ({ step: i + 1, ...row(i + 1) }));

function sample(verifier: string | null, correct: boolean | null, eos: boolean) {
  return { verifier, correct, eos };
}

/** base 1/4 verified, sft 2/4, dpo 3/4, rlvr 4/4; EOS 1/2 at base, then always. */
export const SYNTHETIC_STAGES: StageSpec[] = [
  { name: "pretrain", kind: "pretrain", makesModel: true, metrics: steps(30, (s) => ({ loss: 6 / s + 1, lr: 0.003 })) },
  { name: "eval-base", kind: "eval", makesModel: false, evaluates: "pretrain", samples: [sample("gsm8k", true, true), sample("gsm8k", false, false), sample("math", false, true), sample("ifeval", false, false)] },
  { name: "sft", kind: "sft", makesModel: true, metrics: steps(20, (s) => ({ loss: 2 / s + 0.5 })) },
  { name: "eval-sft", kind: "eval", makesModel: false, evaluates: "sft", samples: [sample("gsm8k", true, true), sample("gsm8k", true, true), sample("math", false, true), sample("ifeval", false, true)] },
  {
    name: "dpo",
    kind: "dpo",
    makesModel: true,
    metrics: steps(12, (s) => ({
      loss: 0.69 - s * 0.03,
      "rewards/chosen": -0.1 * s,
      "rewards/rejected": -0.3 * s,
      "rewards/margins": 0.2 * s,
      "rewards/accuracies": Math.min(1, 0.5 + s * 0.05),
      ...(s % 4 === 0 ? { "eval/loss": 0.6 - s * 0.02, "eval/rewards/accuracies": 0.6 + s * 0.02 } : {}),
    })),
  },
  { name: "eval-dpo", kind: "eval", makesModel: false, evaluates: "dpo", samples: [sample("gsm8k", true, true), sample("gsm8k", true, true), sample("math", true, true), sample("ifeval", false, true)] },
  {
    name: "rlvr",
    kind: "rlvr",
    makesModel: true,
    metrics: [
      { step: 0, "eval/gsm8k_accuracy": 0.5 },
      ...steps(10, (s) => ({
        loss: 0.01 * (5 - s),
        reward_mean: s,
        reward_std: 3,
        kl: 0.001 * s,
        "accuracy/gsm8k": 0.1 * s,
        ...(s === 10 ? { "eval/gsm8k_accuracy": 0.75 } : {}),
      })),
    ],
  },
  { name: "eval-rlvr", kind: "eval", makesModel: false, evaluates: "rlvr", samples: [sample("gsm8k", true, true), sample("gsm8k", true, true), sample("math", true, true), sample("ifeval", true, true)] },
  { name: "export", kind: "export", makesModel: true },
];

/** Charts the synthetic run must produce: per stage family, plus the results overview. */
export const SYNTHETIC_CHART_IDS = [
  "01-pretrain-loss",
  "03-sft-loss",
  "05-dpo-loss",
  "05-dpo-reward",
  "05-dpo-accuracy",
  "07-rlvr-loss",
  "07-rlvr-reward",
  "07-rlvr-kl",
  "07-rlvr-accuracy",
  "results",
];

export function writeSyntheticRun(runDir: string): void {
  mkdirSync(runDir, { recursive: true });
  const dirOf = (i: number, name: string) => `${String(i + 1).padStart(2, "0")}-${name}`;
  const modelOf = (name: string) => {
    const i = SYNTHETIC_STAGES.findIndex((s) => s.name === name);
    return join(runDir, dirOf(i, name), "model");
  };
  const records = SYNTHETIC_STAGES.map((stage, i) => {
    const dir = dirOf(i, stage.name);
    const stageDir = join(runDir, dir);
    mkdirSync(stageDir, { recursive: true });
    if (stage.metrics) writeFileSync(join(stageDir, "metrics.jsonl"), stage.metrics.map((r) => JSON.stringify(r)).join("\n") + "\n");
    let summary: Record<string, unknown> = {};
    if (stage.samples) {
      const samples = stage.samples;
      const acc = (v: string) => {
        const own = samples.filter((s) => s.verifier === v);
        return own.filter((s) => s.correct).length / own.length;
      };
      summary = {
        model: modelOf(stage.evaluates!),
        eos_rate: samples.filter((s) => s.eos).length / samples.length,
        in_turn_rate: 1,
        mean_length: 20 - i,
        gsm8k_accuracy: acc("gsm8k"),
        ifeval_accuracy: acc("ifeval"),
        math_accuracy: acc("math"),
        ifeval_prompt_strict: acc("ifeval"),
        ifeval_prompt_loose: acc("ifeval"),
      };
      const lines = samples.map((s, k) => JSON.stringify({ set: "rlvr", id: `r${k}`, verifier: s.verifier, correct: s.correct, endedWithEos: s.eos }));
      writeFileSync(join(stageDir, "generations.jsonl"), lines.join("\n") + "\n");
    } else if (stage.kind === "dpo") {
      summary = { steps: 12, "eval/rewards/accuracies": 0.84 };
    } else if (stage.metrics) {
      summary = { final_loss: stage.metrics[stage.metrics.length - 1]!.loss };
    }
    const modelDir = stage.makesModel ? join(stageDir, "model") : null;
    writeFileSync(join(stageDir, "result.json"), JSON.stringify({ name: stage.name, kind: stage.kind, stageDir, modelDir, summary }));
    const t = (k: number) => new Date(Date.UTC(2026, 0, 1, 0, i, k)).toISOString();
    return { name: stage.name, kind: stage.kind, dir, seed: i, started_at: t(0), finished_at: t(30), status: "done", summary };
  });
  const manifest = {
    posttrain_version: "0.0.0-test",
    git_commit: null,
    git_dirty: null,
    node_version: process.version,
    created_at: "2026-01-01T00:00:00.000Z",
    recipe_file: join(runDir, "recipe.yaml"),
    backend: "cpu",
    seed: 1,
    inputs: {},
    recipe: { name: "synthetic <tulu>", description: "A made-up run for report tests.", seed: 1, backend: "cpu", stages: [] },
    stages: records,
  };
  writeFileSync(join(runDir, "manifest.json"), JSON.stringify(manifest, null, 2));
}
