/**
 * JSON Schemas of the recipe stages, one per `kind`. Field names follow TRL / open-instruct where they exist
 * (beta, loss_type, num_generations, epsilon, gradient_accumulation_steps, max_seq_length, ...), so a reader
 * who knows those tools reads a recipe without a glossary. Defaults are the CPU-sized values this workbench
 * uses; the Tülu 3 values are named in the descriptions where they differ.
 */
import { bool, int, nullable, num, object, oneOfStrings, str, strList, type JsonSchema } from "./schema-helpers.js";

export const STAGE_KINDS = ["pretrain", "anneal", "soup", "sft", "dpo", "rlvr", "eval", "export"] as const;
export const LR_SCHEDULES = ["cosine", "linear", "constant"] as const;

const NAME = {
  type: "string",
  pattern: "^[a-z0-9][a-z0-9_-]*$",
  description: "Unique stage name (lowercase letters, digits, - and _): the stage folder is NN-name and --set paths use it.",
};

const FROM = nullable(
  str(
    "Stage whose model this stage starts from, or 'start' for the recipe's starting model. " +
      "Default: the latest earlier stage that produced a model (or the starting model).",
  ),
);

function base(kind: string, description: string): Record<string, JsonSchema> {
  return { kind: { const: kind, description }, name: NAME, from: FROM };
}

interface OptimDefaults {
  lr: number;
  schedule: (typeof LR_SCHEDULES)[number];
  warmup_ratio: number;
  min_lr_ratio: number;
  weight_decay: number;
}

/** Optimiser, schedule, checkpointing and data-order fields shared by every training stage (AdamW). */
function optimFields(d: OptimDefaults): Record<string, JsonSchema> {
  return {
    lr: num("Peak learning rate (AdamW).", d.lr, { exclusiveMinimum: 0 }),
    schedule: oneOfStrings(LR_SCHEDULES, "LR decay after warmup: cosine, linear, or constant.", d.schedule),
    warmup_ratio: num("Fraction of the optimizer steps spent warming the LR up linearly from 0.", d.warmup_ratio, {
      minimum: 0,
      maximum: 1,
    }),
    min_lr_ratio: num("Final LR as a fraction of lr (open-instruct's final_lr_ratio).", d.min_lr_ratio, {
      minimum: 0,
      maximum: 1,
    }),
    weight_decay: num("Decoupled AdamW weight decay.", d.weight_decay, { minimum: 0 }),
    adam_beta1: num("AdamW beta1.", 0.9, { minimum: 0, maximum: 1 }),
    adam_beta2: num("AdamW beta2.", 0.95, { minimum: 0, maximum: 1 }),
    adam_epsilon: num("AdamW epsilon.", 1e-8, { exclusiveMinimum: 0 }),
    max_grad_norm: num("Clip gradients to this global L2 norm; 0 turns clipping off.", 1.0, { minimum: 0 }),
    gradient_accumulation_steps: int("Micro-batches accumulated per optimizer step.", 1, { minimum: 1 }),
    checkpoint_every: int("Save a resumable checkpoint every this many optimizer steps.", 50, { minimum: 1 }),
    data_seed: nullable(
      int("Seed of this stage's data order. Default: derived from the recipe seed and the stage name.", 0),
    ),
  };
}

function causalLm(kind: "pretrain" | "anneal"): JsonSchema {
  const isPretrain = kind === "pretrain";
  return object(
    {
      ...base(
        kind,
        isPretrain
          ? "Causal-LM training on plain text packed into fixed-length sequences (warmup, then cosine decay)."
          : "Mid-training: continue on another text mix with the LR going linearly to zero.",
      ),
      data: strList("Plain-text JSONL files ({id, text, source}) mixed into one stream."),
      steps: int("Optimizer steps.", isPretrain ? 200 : 50, { minimum: 1 }),
      batch_size: int("Sequences per micro-batch.", 8, { minimum: 1 }),
      seq_length: int("Tokens per packed sequence (<= the model's max_position_embeddings).", 128, { minimum: 2 }),
      ...optimFields(
        isPretrain
          ? { lr: 3e-3, schedule: "cosine", warmup_ratio: 0.05, min_lr_ratio: 0.1, weight_decay: 0.1 }
          : { lr: 1e-3, schedule: "linear", warmup_ratio: 0, min_lr_ratio: 0, weight_decay: 0.1 },
      ),
    },
    ["kind", "name", "data"],
    isPretrain ? "pretrain stage" : "anneal stage",
  );
}

const soup = object(
  {
    ...base("soup", "Average the weights of earlier stages' checkpoints (model souping; open-instruct merge_models)."),
    stages: strList("Names of the earlier stages whose models are averaged.", 2),
    weights: nullable({
      type: "array",
      items: { type: "number", minimum: 0 },
      minItems: 2,
      description: "One weight per listed stage (normalised to sum 1). Default: uniform.",
    }),
  },
  ["kind", "name", "stages"],
  "soup stage",
);

const sft = object(
  {
    ...base("sft", "Supervised fine-tuning on chat data; the loss covers assistant tokens only."),
    data: strList("SFT JSONL files ({id, messages, source}, tulu-3-sft-mixture rows)."),
    epochs: num("Passes over the data (fractions allowed).", 2, { exclusiveMinimum: 0 }),
    max_steps: nullable(int("Stop after this many optimizer steps even if epochs remain.", 0, { minimum: 1 })),
    batch_size: int("Sequences (or packed rows) per micro-batch.", 8, { minimum: 1 }),
    max_seq_length: int("Conversations are truncated to this many tokens.", 256, { minimum: 2 }),
    packing: bool(
      "Pack whole conversations into rows of max_seq_length; positions restart per conversation, attention stays " +
        "causal over the row (HF packing without a varlen kernel).",
      false,
    ),
    reduce: oneOfStrings(
      ["sum", "mean"],
      "Loss reduction: 'sum' of token losses (Tülu 3's reduce_loss=sum) or 'mean' over the label tokens of the " +
        "whole accumulated batch (TRL's num_items_in_batch).",
      "mean",
    ),
    ...optimFields({ lr: 1e-3, schedule: "linear", warmup_ratio: 0.03, min_lr_ratio: 0, weight_decay: 0 }),
  },
  ["kind", "name", "data"],
  "sft stage",
);

const dpo = object(
  {
    ...base("dpo", "Direct preference optimisation against the frozen input model as reference."),
    data: strList("Preference JSONL files ({id, prompt?, chosen, rejected, source})."),
    eval_data: nullable(strList("Held-out preference files for eval metrics.")),
    loss_type: oneOfStrings(
      ["sigmoid", "dpo_norm", "ipo", "simpo"],
      "sigmoid (DPO), dpo_norm (length-normalised, Tülu 3), ipo, simpo (reference-free).",
      "dpo_norm",
    ),
    beta: num("Inverse temperature of the implicit reward (Tülu 3 dpo_norm: 5).", 5, { exclusiveMinimum: 0 }),
    label_smoothing: num("Conservative-DPO label smoothing.", 0, { minimum: 0, maximum: 0.5 }),
    simpo_gamma: num("SimPO target reward margin gamma.", 0.5, { minimum: 0 }),
    rpo_alpha: num("RPO: weight of the chosen responses' NLL added to the loss (TRL rpo_alpha); 0 = off.", 0, { minimum: 0 }),
    epochs: num("Passes over the data.", 1, { exclusiveMinimum: 0 }),
    max_steps: nullable(int("Stop after this many optimizer steps even if epochs remain.", 0, { minimum: 1 })),
    batch_size: int("Preference pairs per micro-batch.", 8, { minimum: 1 }),
    max_length: int("Prompt + response tokens kept per sequence.", 256, { minimum: 2 }),
    max_prompt_length: int("Prompt tokens kept (truncated from the left).", 128, { minimum: 1 }),
    precompute_ref_log_probs: bool(
      "Compute the reference log-probs once before training and cache them in the stage folder.",
      true,
    ),
    eval_every: int("Evaluate on eval_data every this many optimizer steps.", 50, { minimum: 1 }),
    ...optimFields({ lr: 5e-7, schedule: "linear", warmup_ratio: 0.1, min_lr_ratio: 0, weight_decay: 0 }),
  },
  ["kind", "name", "data"],
  "dpo stage",
);

const rlvr = object(
  {
    ...base("rlvr", "Reinforcement learning with verifiable rewards (GRPO family or PPO)."),
    data: strList("RLVR JSONL files ({id, messages, ground_truth, dataset})."),
    datasets: nullable(strList("Train only on the rows whose `dataset` (verifier) is one of these, e.g. [gsm8k]; null = all.")),
    eval_data: nullable(strList("Held-out RLVR files scored with the verifiers during training.")),
    algorithm: oneOfStrings(["grpo", "ppo"], "grpo (group-relative) or ppo (value model + GAE, Tülu 3).", "grpo"),
    steps: int("Rollout + update rounds.", 50, { minimum: 1 }),
    prompts_per_step: int("Distinct prompts sampled per step.", 8, { minimum: 1 }),
    num_generations: int("Samples per prompt (GRPO group size; PPO uses 1).", 4, { minimum: 1 }),
    temperature: num("Sampling temperature of rollouts.", 1.0, { exclusiveMinimum: 0 }),
    max_response_length: int("Maximum new tokens per rollout.", 128, { minimum: 1 }),
    num_iterations: int("Policy updates per batch of rollouts (GRPO mu).", 1, { minimum: 1 }),
    filter_zero_std_samples: bool(
      "GRPO: drop groups whose rewards are all equal (no signal), as open-instruct's grpo_fast does.",
      false,
    ),
    active_sampling: bool(
      "GRPO: after filtering, draw more prompts until prompts_per_step groups with signal are in hand (DAPO dynamic sampling).",
      false,
    ),
    max_num_gen_batches: int("With active_sampling: rollout rounds drawn at most per step.", 4, { minimum: 1 }),
    no_resampling_pass_rate: nullable(
      num("GRPO: stop sampling a prompt once this share of its group is correct (open-instruct); null = never.", 1, {
        exclusiveMinimum: 0,
        maximum: 1,
      }),
    ),
    epsilon: num("Lower clip range of the probability ratio.", 0.2, { minimum: 0 }),
    epsilon_high: nullable(num("Upper clip range (DAPO clip-higher). Default: epsilon.", 0.2, { minimum: 0 })),
    loss_type: oneOfStrings(
      ["grpo", "dr_grpo", "dapo"],
      "Token aggregation: grpo (sequence mean of token means), dr_grpo (constant divisor), dapo (token mean).",
      "dapo",
    ),
    scale_rewards: bool("Divide group-centred rewards by the group std (false = Dr. GRPO).", true),
    beta: num("KL penalty coefficient to the frozen reference; 0 needs no reference.", 0.05, { minimum: 0 }),
    kl_estimator: oneOfStrings(["k1", "k3"], "KL estimator: k1 = d, k3 = exp(-d) - 1 + d.", "k3"),
    correct_reward: num("Reward of a verified-correct response (Tülu 3: 10).", 10),
    format_reward: num("Extra reward when the response has the verifier's expected format; 0 = off.", 0),
    non_stop_penalty: nullable(num("Reward given to a response cut off before EOS (Tülu 3 PPO: -10).", -10)),
    verifier_timeout_s: num("Per-check verifier timeout; a timeout scores 0 and is counted.", 10, {
      exclusiveMinimum: 0,
    }),
    vf_coef: num("PPO value-loss coefficient.", 0.1, { minimum: 0 }),
    cliprange_value: num("PPO value clip range.", 0.2, { minimum: 0 }),
    gamma: num("PPO discount.", 1.0, { minimum: 0, maximum: 1 }),
    lam: num("PPO GAE lambda.", 0.95, { minimum: 0, maximum: 1 }),
    num_ppo_epochs: int("PPO epochs per batch of rollouts.", 4, { minimum: 1 }),
    eval_every: int("Evaluate on eval_data every this many steps.", 10, { minimum: 1 }),
    eval_limit: nullable(int("Held-out rows scored per eval_data file (the first ones); null = all.", 100, { minimum: 1 })),
    ...optimFields({ lr: 1e-6, schedule: "constant", warmup_ratio: 0, min_lr_ratio: 0, weight_decay: 0 }),
  },
  ["kind", "name", "data"],
  "rlvr stage",
);

const evalSet = object(
  {
    name: str("Name of the set in the results (e.g. gsm, math, ifeval, chat)."),
    path: str("JSONL file of held-out prompts."),
    format: oneOfStrings(
      ["rlvr", "sft"],
      "rlvr rows are scored by the verifier their `dataset` names; sft rows give prompts (messages before the " +
        "last assistant turn) for EOS rate and length only.",
      "rlvr",
    ),
    limit: nullable(int("Use only the first N rows.", 0, { minimum: 1 })),
  },
  ["name", "path"],
  "one held-out set",
);

const evalStage = object(
  {
    ...base("eval", "Generate on held-out sets and score with the verifiers; results.json and generations.jsonl."),
    sets: { type: "array", items: evalSet, minItems: 1, description: "Held-out sets to evaluate." },
    max_new_tokens: int("Maximum new tokens per answer.", 128, { minimum: 1 }),
    temperature: num("Sampling temperature; 0 = greedy.", 0, { minimum: 0 }),
    top_p: num("Nucleus sampling mass (ignored when greedy).", 1, { exclusiveMinimum: 0, maximum: 1 }),
    batch_size: int("Prompts generated together.", 16, { minimum: 1 }),
    verifier_timeout_s: num("Per-check verifier timeout.", 10, { exclusiveMinimum: 0 }),
  },
  ["kind", "name", "sets"],
  "eval stage",
);

const exportStage = object(
  {
    ...base("export", "Write the model as an HF folder (weights, config, tokenizer, generation config) + model card."),
    out: nullable(str("Also copy the exported folder here (relative to the recipe file).")),
    dtype: oneOfStrings(["float32", "bfloat16"], "Weight dtype in model.safetensors.", "float32"),
    max_new_tokens: int("generation_config.json max_new_tokens.", 256, { minimum: 1 }),
    temperature: num("generation_config.json temperature (0 = greedy: do_sample false).", 0, { minimum: 0 }),
  },
  ["kind", "name"],
  "export stage",
);

export const STAGE_SCHEMAS = {
  pretrain: causalLm("pretrain"),
  anneal: causalLm("anneal"),
  soup,
  sft,
  dpo,
  rlvr,
  eval: evalStage,
  export: exportStage,
} satisfies Record<(typeof STAGE_KINDS)[number], JsonSchema>;
