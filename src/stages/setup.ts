/**
 * What a run prepares before its first stage: the tokenizer (trained on the recipe's files, or copied from a
 * folder) and the starting model (a preset initialised with the recipe seed, its vocabulary sized to the
 * tokenizer, or an HF folder, used as is or with config overrides). Both are skipped when their `.done` marker
 * exists (resume).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PosttrainError } from "../errors.js";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { detectFormat, readAll, type AnyRow } from "../data/index.js";
import { configFromPreset, Olmo2Model, tensorShapes, validateConfig, type Olmo2Config } from "../model/index.js";
import { deriveSeed, type Recipe } from "../recipe/index.js";
import { Tokenizer, trainTokenizer } from "../tokenizer/index.js";

/** Every piece of text in a row: the text itself, or each message's content. */
function textsOfRow(row: AnyRow): string[] {
  if ("text" in row) return [row.text];
  if ("chosen" in row) return [...row.chosen, ...row.rejected].map((m) => m.content);
  return row.messages.map((m) => m.content);
}

async function textsOfFile(file: string): Promise<string[]> {
  const rows = await readAll(file, await detectFormat(file));
  return rows.flatMap((row) => textsOfRow(row as AnyRow));
}

/** Returns the run's tokenizer folder, training or copying it first unless it is already there. */
export async function prepareTokenizer(recipe: Recipe, runDir: string, say: (line: string) => void): Promise<string> {
  const dir = join(runDir, "tokenizer");
  if (existsSync(join(dir, ".done"))) return dir;
  if (recipe.tokenizer.path) {
    cpSync(recipe.tokenizer.path, dir, { recursive: true });
    say(`tokenizer copied from ${recipe.tokenizer.path}`);
  } else {
    const spec = recipe.tokenizer.train!;
    let texts = (await Promise.all(spec.data.map(textsOfFile))).flat();
    if (spec.max_texts !== null) texts = texts.slice(0, spec.max_texts);
    const started = Date.now();
    const tokenizer = await trainTokenizer(texts, { vocabSize: spec.vocab_size });
    await tokenizer.save(dir);
    say(`tokenizer trained: vocab ${tokenizer.vocabSize} on ${texts.length} texts in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  writeFileSync(join(dir, ".done"), new Date().toISOString() + "\n");
  return dir;
}

/** start/model from a preset, initialised with a seed derived from the recipe seed, sized to the tokenizer. */
async function presetStartModel(recipe: Recipe, dir: string, tokenizer: Tokenizer): Promise<void> {
  let config: Olmo2Config;
  try {
    config = configFromPreset(recipe.model.preset!, {
      ...(recipe.model.overrides as Partial<Olmo2Config>),
      vocab_size: tokenizer.vocabSize,
      eos_token_id: tokenizer.eosId,
      bos_token_id: tokenizer.bosId,
      pad_token_id: tokenizer.padId,
    });
  } catch (err) {
    throw new PosttrainError(`model: ${(err as Error).message}`);
  }
  const model = Olmo2Model.init(config, deriveSeed(recipe.seed, "init"));
  try {
    await saveModel(dir, model, { tokenizer });
  } finally {
    model.dispose();
  }
}

/**
 * start/model from an HF folder with config overrides. Only fields that keep every tensor's shape may change on
 * trained weights (max_position_embeddings, rope_theta, rms_norm_eps, token ids); the rest is an error.
 */
async function overriddenStartModel(recipe: Recipe, dir: string, tokenizer: Tokenizer): Promise<void> {
  const source = await loadModel(recipe.model.path!);
  try {
    const config = { ...source.config, ...(recipe.model.overrides as Partial<Olmo2Config>) };
    try {
      validateConfig(config);
    } catch (err) {
      throw new PosttrainError(`model.overrides: ${(err as Error).message}`);
    }
    const before = JSON.stringify([...tensorShapes(source.config)]);
    if (JSON.stringify([...tensorShapes(config)]) !== before) {
      throw new PosttrainError("model.overrides: would change tensor shapes of the trained weights in model.path");
    }
    const model = Olmo2Model.fromTensors(config, await source.toHostTensors());
    try {
      await saveModel(dir, model, { tokenizer });
    } finally {
      model.dispose();
    }
  } finally {
    source.dispose();
  }
}

/**
 * Returns the starting model folder: start/model for a preset (or for an HF folder with overrides), else the
 * recipe's HF folder itself, which must cover the tokenizer's vocabulary.
 */
export async function prepareStartModel(
  recipe: Recipe,
  runDir: string,
  tokenizerDir: string,
  say: (line: string) => void,
): Promise<string> {
  const tokenizer = await Tokenizer.load(tokenizerDir);
  const overrides = Object.keys(recipe.model.overrides).length > 0;
  if (recipe.model.path) {
    const config = JSON.parse(readFileSync(join(recipe.model.path, "config.json"), "utf8")) as Olmo2Config;
    if (config.vocab_size < tokenizer.vocabSize) {
      throw new PosttrainError(
        `${recipe.model.path}/config.json: vocab_size ${config.vocab_size} is smaller than the tokenizer's ${tokenizer.vocabSize}`,
      );
    }
    if (!overrides) return recipe.model.path;
  }
  const dir = join(runDir, "start", "model");
  if (existsSync(join(runDir, "start", ".done"))) return dir;
  if (recipe.model.path) await overriddenStartModel(recipe, dir, tokenizer);
  else await presetStartModel(recipe, dir, tokenizer);
  writeFileSync(join(runDir, "start", ".done"), new Date().toISOString() + "\n");
  const origin = recipe.model.path ?? `preset ${recipe.model.preset}`;
  say(`start model: ${origin} (${JSON.stringify(recipe.model.overrides)}) -> ${dir}`);
  return dir;
}
