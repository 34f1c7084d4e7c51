/**
 * TypeScript shapes of a validated recipe, after ajv has filled every default. They mirror schema.ts and
 * schema-stages.ts field for field (recipes.test.ts checks that a defaulted recipe has exactly these keys).
 */
import type { LR_SCHEDULES, STAGE_KINDS } from "./schema-stages.js";

export type StageKind = (typeof STAGE_KINDS)[number];
export type LrScheduleKind = (typeof LR_SCHEDULES)[number];

interface StageBase<K extends StageKind> {
  kind: K;
  name: string;
  from: string | null;
}

/** Optimiser, schedule and checkpoint fields of every training stage. */
export interface OptimConfig {
  lr: number;
  schedule: LrScheduleKind;
  warmup_ratio: number;
  min_lr_ratio: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;
  gradient_accumulation_steps: number;
  checkpoint_every: number;
  data_seed: number | null;
}

export interface CausalLmStage<K extends "pretrain" | "anneal" = "pretrain" | "anneal"> extends StageBase<K>, OptimConfig {
  data: string[];
  steps: number;
  batch_size: number;
  seq_length: number;
}

export interface SoupStage extends StageBase<"soup"> {
  stages: string[];
  weights: number[] | null;
}

export interface SftStage extends StageBase<"sft">, OptimConfig {
  data: string[];
  epochs: number;
  max_steps: number | null;
  batch_size: number;
  max_seq_length: number;
  packing: boolean;
  reduce: "sum" | "mean";
}

export interface DpoStage extends StageBase<"dpo">, OptimConfig {
  data: string[];
  eval_data: string[] | null;
  loss_type: "sigmoid" | "dpo_norm" | "ipo" | "simpo";
  beta: number;
  label_smoothing: number;
  simpo_gamma: number;
  rpo_alpha: number;
  epochs: number;
  max_steps: number | null;
  batch_size: number;
  max_length: number;
  max_prompt_length: number;
  precompute_ref_log_probs: boolean;
  eval_every: number;
}

export interface RlvrStage extends StageBase<"rlvr">, OptimConfig {
  data: string[];
  datasets: string[] | null;
  eval_data: string[] | null;
  algorithm: "grpo" | "ppo";
  steps: number;
  prompts_per_step: number;
  num_generations: number;
  temperature: number;
  max_response_length: number;
  num_iterations: number;
  filter_zero_std_samples: boolean;
  active_sampling: boolean;
  max_num_gen_batches: number;
  no_resampling_pass_rate: number | null;
  epsilon: number;
  epsilon_high: number | null;
  loss_type: "grpo" | "dr_grpo" | "dapo";
  scale_rewards: boolean;
  beta: number;
  kl_estimator: "k1" | "k3";
  correct_reward: number;
  format_reward: number;
  non_stop_penalty: number | null;
  verifier_timeout_s: number;
  vf_coef: number;
  cliprange_value: number;
  gamma: number;
  lam: number;
  num_ppo_epochs: number;
  eval_every: number;
  eval_limit: number | null;
}

export interface EvalSet {
  name: string;
  path: string;
  format: "rlvr" | "sft";
  limit: number | null;
}

export interface EvalStage extends StageBase<"eval"> {
  sets: EvalSet[];
  max_new_tokens: number;
  temperature: number;
  top_p: number;
  batch_size: number;
  verifier_timeout_s: number;
}

export interface ExportStage extends StageBase<"export"> {
  out: string | null;
  dtype: "float32" | "bfloat16";
  max_new_tokens: number;
  temperature: number;
}

/** The stage config type for each kind (what a StageRunner<K> receives). */
export interface StageConfigs {
  pretrain: CausalLmStage<"pretrain">;
  anneal: CausalLmStage<"anneal">;
  soup: SoupStage;
  sft: SftStage;
  dpo: DpoStage;
  rlvr: RlvrStage;
  eval: EvalStage;
  export: ExportStage;
}

export type StageConfig = StageConfigs[StageKind];

export interface Recipe {
  name: string | null;
  description: string;
  seed: number;
  backend: "auto" | "tensorflow" | "wasm" | "cpu";
  model: { preset: string | null; path: string | null; overrides: Record<string, number | string | boolean> };
  tokenizer: {
    path: string | null;
    train: { vocab_size: number; data: string[]; max_texts: number | null } | null;
  };
  stages: StageConfig[];
}
