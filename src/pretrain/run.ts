/**
 * The pretrain and anneal stages: causal-LM training on packed text. pretrain warms up then decays with a
 * cosine (OLMo 2 stage 1); anneal continues from an earlier model on another mix with the LR going linearly
 * to zero (OLMo 2 stage 2, mid-training). Both are this one runner with different recipe defaults; each
 * stage's data order comes from its data_seed (default: derived from the recipe seed and the stage name), so
 * two anneals of the same start see different orders and can be souped.
 */
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import { PosttrainError } from "../errors.js";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { deriveSeed, lossAndGrads, trainWithCheckpoints, type CausalLmStage } from "../recipe/index.js";
import type { StageContext, StageResult } from "../recipe/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import { packedTextRows, rowCursor } from "./data.js";
import { causalLmLossSum } from "./loss.js";

export async function runCausalLmStage(ctx: StageContext, config: CausalLmStage): Promise<StageResult> {
  const tokenizer = await Tokenizer.load(ctx.tokenizerDir);
  const model = await loadModel(ctx.inputModelDir);
  try {
    if (config.seq_length > model.config.max_position_embeddings) {
      throw new PosttrainError(
        `stages.${config.name}.seq_length ${config.seq_length} exceeds the model's max_position_embeddings ${model.config.max_position_embeddings}`,
      );
    }
    const rows = await packedTextRows(config.data, tokenizer, config.seq_length);
    if (rows.length === 0) throw new PosttrainError(`stages.${config.name}.data: fewer than seq_length tokens in all files`);
    const dataSeed = config.data_seed ?? deriveSeed(ctx.recipe.seed, "data", config.name);
    const batchRows = Math.min(config.batch_size, rows.length);
    const tokensPerStep = batchRows * config.seq_length * config.gradient_accumulation_steps;
    ctx.log(
      `${rows.length} rows of ${config.seq_length} tokens; ${config.steps} steps x ${tokensPerStep} tokens ` +
        `= ${((config.steps * batchRows * config.gradient_accumulation_steps) / rows.length).toFixed(2)} epochs (data seed ${dataSeed})`,
    );
    const { lastLoss } = await trainWithCheckpoints({
      host: ctx,
      model,
      optim: config,
      totalSteps: config.steps,
      openData: (position) => rowCursor(rows, config.batch_size, dataSeed, position),
      microBatch: (batchRowsNow) => {
        const ids = tf.tensor2d(batchRowsNow, undefined, "int32");
        try {
          let tokens = 0;
          const { loss, grads } = lossAndGrads(model, () => {
            const out = causalLmLossSum(model, ids);
            tokens = out.tokens;
            return out.loss;
          });
          return { loss, grads, weight: tokens, tokens: ids.size };
        } finally {
          ids.dispose();
        }
      },
    });
    const modelDir = join(ctx.stageDir, "model");
    await saveModel(modelDir, model, { tokenizer });
    return { modelDir, summary: { final_loss: lastLoss, steps: config.steps, rows: rows.length, data_seed: dataSeed } };
  } finally {
    model.dispose();
  }
}
