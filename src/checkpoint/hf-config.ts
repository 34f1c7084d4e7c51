/**
 * config.json <-> Olmo2Config, following HF `Olmo2Config` (transformers 4.x, and 5.x's
 * `rope_parameters`). Missing fields take HF's defaults (configuration_olmo2.py).
 */
import { CheckpointError } from "../errors.js";
import { type Olmo2Config, headDim, validateConfig } from "../model/index.js";

/** The transformers version whose config.json layout we write. */
export const TRANSFORMERS_VERSION = "4.48.0";

const HF_DEFAULTS = {
  vocab_size: 50304,
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  max_position_embeddings: 2048,
  initializer_range: 0.02,
  pad_token_id: 1,
  bos_token_id: null,
  eos_token_id: 50279,
  tie_word_embeddings: false,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
};

type Json = Record<string, unknown>;

function int(file: string, d: Json, key: keyof typeof HF_DEFAULTS): number {
  const v = d[key] ?? HF_DEFAULTS[key];
  if (typeof v !== "number" || !Number.isInteger(v)) throw new CheckpointError(file, `field ${key} must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function optionalId(file: string, d: Json, key: "pad_token_id" | "bos_token_id"): number | null {
  const v = key in d ? d[key] : HF_DEFAULTS[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new CheckpointError(file, `field ${key} must be an integer or null, got ${JSON.stringify(v)}`);
  return v;
}

/** Parses a config.json object; unsupported variants (other rope types, biases, activations) are errors naming the field. */
export function configFromHF(d: Json, file = "config.json"): Olmo2Config {
  if (d["model_type"] !== undefined && d["model_type"] !== "olmo2") throw new CheckpointError(file, `field model_type is ${JSON.stringify(d["model_type"])}, expected "olmo2"`);
  if ((d["hidden_act"] ?? "silu") !== "silu") throw new CheckpointError(file, `field hidden_act is ${JSON.stringify(d["hidden_act"])}; only "silu" is supported`);
  if (d["attention_bias"] === true) throw new CheckpointError(file, "field attention_bias is true; OLMo-2 has no biases and this loader does not support them");
  for (const key of ["rope_scaling", "rope_parameters"]) {
    const r = d[key] as Json | null | undefined;
    const type = r ? (r["rope_type"] ?? r["type"] ?? "default") : "default";
    if (type !== "default") throw new CheckpointError(file, `field ${key}.rope_type is ${JSON.stringify(type)}; only default RoPE is supported`);
  }
  const ropeParams = d["rope_parameters"] as Json | undefined;
  const theta = (ropeParams?.["rope_theta"] ?? d["rope_theta"] ?? HF_DEFAULTS.rope_theta) as number;
  const heads = int(file, d, "num_attention_heads");
  const kv = d["num_key_value_heads"] ?? heads;
  // HF allows an id, a list, or null (no EOS: generation stops only at the length limit).
  const eos = d["eos_token_id"] === undefined ? HF_DEFAULTS.eos_token_id : (d["eos_token_id"] ?? []);
  const config: Olmo2Config = {
    vocab_size: int(file, d, "vocab_size"),
    hidden_size: int(file, d, "hidden_size"),
    intermediate_size: int(file, d, "intermediate_size"),
    num_hidden_layers: int(file, d, "num_hidden_layers"),
    num_attention_heads: heads,
    num_key_value_heads: kv as number,
    max_position_embeddings: int(file, d, "max_position_embeddings"),
    rms_norm_eps: (d["rms_norm_eps"] ?? HF_DEFAULTS.rms_norm_eps) as number,
    rope_theta: theta,
    tie_word_embeddings: (d["tie_word_embeddings"] ?? HF_DEFAULTS.tie_word_embeddings) as boolean,
    bos_token_id: optionalId(file, d, "bos_token_id"),
    eos_token_id: eos as number | number[],
    pad_token_id: optionalId(file, d, "pad_token_id"),
    initializer_range: (d["initializer_range"] ?? HF_DEFAULTS.initializer_range) as number,
  };
  if (d["head_dim"] !== undefined && d["head_dim"] !== null) config.head_dim = d["head_dim"] as number;
  try {
    validateConfig(config);
  } catch (err) {
    throw new CheckpointError(file, (err as Error).message);
  }
  return config;
}

/** config.json as HF's save_pretrained writes it for Olmo2 (transformers 4.x layout). */
export function configToHF(c: Olmo2Config, torchDtype: "float32" | "bfloat16" | "float16" = "float32"): Json {
  const out: Json = {
    architectures: ["Olmo2ForCausalLM"],
    model_type: "olmo2",
    vocab_size: c.vocab_size,
    hidden_size: c.hidden_size,
    intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: c.num_key_value_heads,
    hidden_act: "silu",
    max_position_embeddings: c.max_position_embeddings,
    initializer_range: c.initializer_range,
    rms_norm_eps: c.rms_norm_eps,
    use_cache: true,
    pad_token_id: c.pad_token_id,
    bos_token_id: c.bos_token_id,
    eos_token_id: c.eos_token_id,
    tie_word_embeddings: c.tie_word_embeddings,
    rope_theta: c.rope_theta,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0.0,
    torch_dtype: torchDtype,
    transformers_version: TRANSFORMERS_VERSION,
  };
  if (c.head_dim !== undefined && c.head_dim !== c.hidden_size / c.num_attention_heads) out["head_dim"] = headDim(c);
  return out;
}

/** generation_config.json with the model's special ids. */
export function generationConfigFor(c: Olmo2Config, extra: Json = {}): Json {
  return {
    _from_model_config: true,
    bos_token_id: c.bos_token_id,
    eos_token_id: c.eos_token_id,
    pad_token_id: c.pad_token_id,
    ...extra,
    transformers_version: TRANSFORMERS_VERSION,
  };
}
