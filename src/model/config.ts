/**
 * OLMo-2 model configuration with Hugging Face `Olmo2Config`'s field names, so config.json maps 1:1.
 * Presets are the sizes of issue 2; `micro` is a toy size for tests.
 */

export interface Olmo2Config {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Per-head width; HF uses hidden_size / num_attention_heads when absent. */
  head_dim?: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
  bos_token_id: number | null;
  /** HF allows a list; generation stops on any of them ([] = never). */
  eos_token_id: number | number[];
  pad_token_id: number | null;
  initializer_range: number;
}

export type PresetName = "micro" | "tiny" | "small" | "base";

/** OLMo 2 release values (rms_norm_eps 1e-6, rope_theta 500000); ids follow the reference's defaults. */
const OLMO2_COMMON = {
  max_position_embeddings: 1024,
  rms_norm_eps: 1e-6,
  rope_theta: 500000,
  tie_word_embeddings: false,
  bos_token_id: null,
  eos_token_id: 2,
  pad_token_id: 1,
  initializer_range: 0.02,
} as const;

export const PRESETS: Record<PresetName, Olmo2Config> = {
  // ~30k parameters: fast enough for finite-difference gradient checks.
  micro: { ...OLMO2_COMMON, vocab_size: 64, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128 },
  tiny: { ...OLMO2_COMMON, vocab_size: 4096, hidden_size: 128, intermediate_size: 384, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 4 },
  small: { ...OLMO2_COMMON, vocab_size: 8192, hidden_size: 256, intermediate_size: 768, num_hidden_layers: 6, num_attention_heads: 8, num_key_value_heads: 8 },
  base: { ...OLMO2_COMMON, vocab_size: 16384, hidden_size: 512, intermediate_size: 1536, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 8 },
};

export function isPresetName(name: string): name is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

/** A preset with overrides applied and checked. Throws on an unknown preset or inconsistent sizes. */
export function configFromPreset(name: string, overrides: Partial<Olmo2Config> = {}): Olmo2Config {
  if (!isPresetName(name)) throw new Error(`unknown preset '${name}' (expected ${Object.keys(PRESETS).join(", ")})`);
  const config = { ...PRESETS[name], ...overrides };
  validateConfig(config);
  return config;
}

export function headDim(config: Olmo2Config): number {
  return config.head_dim ?? Math.floor(config.hidden_size / config.num_attention_heads);
}

/** EOS ids as a list (config allows a number or a list). */
export function eosIds(config: Olmo2Config): number[] {
  return Array.isArray(config.eos_token_id) ? config.eos_token_id : [config.eos_token_id];
}

/** Throws an Error naming the first inconsistent field. */
export function validateConfig(c: Olmo2Config): void {
  const positive: (keyof Olmo2Config)[] = [
    "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "max_position_embeddings",
  ];
  for (const key of positive) {
    const v = c[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new Error(`config field ${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    throw new Error(`config field num_attention_heads (${c.num_attention_heads}) must be divisible by num_key_value_heads (${c.num_key_value_heads})`);
  }
  const hd = headDim(c);
  if (!Number.isInteger(hd) || hd <= 0 || hd % 2 !== 0) throw new Error(`config field head_dim must be a positive even integer, got ${hd}`);
  if (c.head_dim === undefined && c.hidden_size % c.num_attention_heads !== 0) {
    throw new Error(`config field hidden_size (${c.hidden_size}) must be divisible by num_attention_heads (${c.num_attention_heads}) when head_dim is absent`);
  }
  if (!(c.rms_norm_eps > 0)) throw new Error(`config field rms_norm_eps must be > 0, got ${c.rms_norm_eps}`);
  if (!(c.rope_theta > 0)) throw new Error(`config field rope_theta must be > 0, got ${c.rope_theta}`);
  for (const id of eosIds(c)) {
    if (!Number.isInteger(id) || id < 0 || id >= c.vocab_size) throw new Error(`config field eos_token_id has ${id}, outside [0, ${c.vocab_size})`);
  }
}

/**
 * Parameter counts. `matmul` counts every weight used in a matmul per token (attention, MLP and the
 * lm_head, also when tied), not the embedding lookup: the N in the 6*N*tokens FLOP estimate.
 */
export function parameterCounts(c: Olmo2Config): { total: number; matmul: number } {
  const hd = headDim(c);
  const d = c.hidden_size;
  const q = c.num_attention_heads * hd;
  const kv = c.num_key_value_heads * hd;
  const attention = d * q + 2 * d * kv + q * d;
  const mlp = 3 * d * c.intermediate_size;
  const norms = q + kv + 2 * d;
  const embedding = c.vocab_size * d;
  const head = c.tie_word_embeddings ? 0 : embedding;
  return {
    total: c.num_hidden_layers * (attention + mlp + norms) + embedding + head + d,
    matmul: c.num_hidden_layers * (attention + mlp) + embedding,
  };
}
