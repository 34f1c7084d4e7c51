/**
 * The dpo stage: preference optimisation of the input model against a frozen copy of itself.
 *
 *   resolve   tokenize the training and held-out pairs with the run's chat template
 *   reference its log-probs for every pair: cached in the stage folder (precompute_ref_log_probs) or a
 *             frozen second model run alongside; none for the reference-free simpo
 *   loop      the shared checkpointed driver (resumable after kill -9) with the DPO loss and metrics
 *   save      stageDir/model, and a summary with the final train and held-out metrics
 */
import { join } from "node:path";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { PosttrainError } from "../errors.js";
import type { Olmo2Model } from "../model/index.js";
import { deriveSeed, type DpoStage } from "../recipe/index.js";
import type { StageContext, StageResult } from "../recipe/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import { preferencePairs, type TokenizedPair } from "./data.js";
import { cachedReferenceLogps, computePairLogps, referenceCacheKey, REFERENCE_CACHE_FILE } from "./reference.js";
import { trainDpo, type ReferenceSource } from "./train.js";

export async function runDpo(ctx: StageContext, config: DpoStage): Promise<StageResult> {
  const where = `stages.${config.name}`;
  const tokenizer = await Tokenizer.load(ctx.tokenizerDir);
  const limits = { maxLength: config.max_length, maxPromptLength: config.max_prompt_length };
  const load = async (files: string[]) => {
    const got = await preferencePairs(files, tokenizer, limits).catch((e: unknown) => {
      throw e instanceof PosttrainError ? new PosttrainError(`${where}: ${e.message}`) : e;
    });
    if (got.dropped > 0) ctx.log(`${got.dropped} pairs dropped (e.g. ${got.firstDropReason})`);
    return got.pairs;
  };
  const pairs = await load(config.data);
  if (pairs.length === 0) throw new PosttrainError(`${where}.data: no usable preference pair`);
  const evalPairs = config.eval_data ? await load(config.eval_data) : [];
  ctx.log(`${pairs.length} training pairs, ${evalPairs.length} held-out; loss ${config.loss_type}, beta ${config.beta}`);

  const reference = await referenceSource(ctx, config, pairs, evalPairs, tokenizer.padId);
  const policy = await loadModel(ctx.inputModelDir);
  try {
    if (config.max_length > policy.config.max_position_embeddings) {
      throw new PosttrainError(`${where}.max_length ${config.max_length} exceeds the model's max_position_embeddings ${policy.config.max_position_embeddings}`);
    }
    const result = await trainDpo({
      host: ctx,
      policy,
      reference,
      pairs,
      evalPairs,
      config,
      padId: tokenizer.padId,
      dataSeed: config.data_seed ?? deriveSeed(ctx.recipe.seed, "data", config.name),
    });
    const modelDir = join(ctx.stageDir, "model");
    await saveModel(modelDir, policy, { tokenizer });
    const summary = { steps: result.steps, pairs: pairs.length, eval_pairs: evalPairs.length, loss_type: config.loss_type, beta: config.beta, ...result.train, ...result.eval };
    return { modelDir, summary };
  } finally {
    policy.dispose();
    if (reference.kind === "live") reference.model.dispose();
  }
}

/** The reference log-probs as the config asks: none (simpo), cached numbers, or a live frozen model. */
async function referenceSource(
  ctx: StageContext,
  config: DpoStage,
  pairs: TokenizedPair[],
  evalPairs: TokenizedPair[],
  padId: number,
): Promise<ReferenceSource> {
  if (config.loss_type === "simpo") return { kind: "none" };
  if (!config.precompute_ref_log_probs) return { kind: "live", model: await loadModel(ctx.inputModelDir) };
  const { key, parts } = await referenceCacheKey({
    dataFiles: config.data,
    evalFiles: config.eval_data ?? [],
    modelDir: ctx.inputModelDir,
    tokenizerDir: ctx.tokenizerDir,
    maxLength: config.max_length,
    maxPromptLength: config.max_prompt_length,
  });
  const { logps, hit } = await cachedReferenceLogps({
    file: join(ctx.stageDir, REFERENCE_CACHE_FILE),
    key,
    parts,
    counts: { train: pairs.length, eval: evalPairs.length },
    compute: async () => {
      const model: Olmo2Model = await loadModel(ctx.inputModelDir);
      try {
        return {
          train: computePairLogps(model, pairs, config.batch_size, padId),
          eval: computePairLogps(model, evalPairs, config.batch_size, padId),
        };
      } finally {
        model.dispose();
      }
    },
  });
  ctx.log(`reference log-probs ${hit ? "reused from" : "computed into"} ${REFERENCE_CACHE_FILE} (key ${key.slice(0, 12)})`);
  return { kind: "cached", logps };
}
