/**
 * The recipe's JSON Schema (validated with ajv: allErrors, useDefaults, unknown keys rejected). A recipe is a
 * seed, a starting model, a tokenizer and an ordered list of stages; each stage is one of STAGE_SCHEMAS,
 * selected by its `kind` (ajv's discriminator, so errors come from the matching kind only).
 */
import { int, nullable, object, oneOfStrings, str, strList, type JsonSchema } from "./schema-helpers.js";
import { STAGE_KINDS, STAGE_SCHEMAS } from "./schema-stages.js";

/** The engine's backend names (src/engine BACKEND_NAMES; a test keeps the two lists equal). */
export const BACKENDS = ["auto", "tensorflow", "wasm", "cpu"] as const;

const modelSchema = object(
  {
    preset: nullable(str("Name of a model preset (e.g. tiny, small); exactly one of preset and path.")),
    path: nullable(str("HF-format model folder (config.json + model.safetensors), relative to the recipe file.")),
    overrides: {
      type: "object",
      description:
        "Olmo2Config fields to override (e.g. max_position_embeddings: 256). vocab_size always follows the tokenizer.",
      additionalProperties: { type: ["number", "string", "boolean"] },
      default: {},
    },
  },
  [],
  "Starting model: a preset, randomly initialised with the recipe seed, or an HF-format folder.",
);

const tokenizerSchema = object(
  {
    path: nullable(str("Tokenizer folder (tokenizer.json + tokenizer_config.json); exactly one of path and train.")),
    train: nullable(
      object(
        {
          vocab_size: int("Vocabulary size including the special tokens.", 2048, { minimum: 300 }),
          data: strList("JSONL files (text, sft, preference or rlvr rows) whose text trains the BPE."),
          max_texts: nullable(int("Use at most this many texts from the files.", 0, { minimum: 1 })),
        },
        ["data"],
        "Train a byte-level BPE tokenizer with the Tülu chat template.",
      ),
    ),
  },
  [],
  "Tokenizer: trained by the run (train) or read from a folder (path).",
);

/** The whole recipe schema. Each stage is validated against the schema its `kind` selects. */
export const RECIPE_SCHEMA: JsonSchema = object(
  {
    name: nullable(str("Run name; default: the recipe file name.")),
    description: str("What this recipe does and what it should show.", ""),
    seed: int("Master seed: model init, data orders and sampling derive from it.", 1234, { minimum: 0 }),
    backend: oneOfStrings(
      BACKENDS,
      "TensorFlow.js backend: wasm (default), cpu, tensorflow (tfjs-node, when installed) or auto; --backend overrides it.",
      "wasm",
    ),
    model: modelSchema,
    tokenizer: tokenizerSchema,
    stages: {
      type: "array",
      minItems: 1,
      description: "Stages run in order; each one's model feeds the next.",
      items: {
        type: "object",
        discriminator: { propertyName: "kind" },
        oneOf: STAGE_KINDS.map((k) => STAGE_SCHEMAS[k]),
      },
    },
  },
  ["model", "tokenizer", "stages"],
  "posttrain recipe",
);
