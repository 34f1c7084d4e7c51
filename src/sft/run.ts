/**
 * The sft stage: supervised fine-tuning on chat data, loss on assistant tokens only (src/sft/loss.ts),
 * padding or packing, epochs with a seeded order per epoch, gradient accumulation, and the LR schedule, under
 * the shared checkpointed driver (resumable after kill -9).
 */
import { join } from "node:path";
import { PosttrainError } from "../errors.js";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { deriveSeed, lossAndGrads, trainWithCheckpoints, type SftStage } from "../recipe/index.js";
import type { StageContext, StageResult } from "../recipe/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import { packRows, realTokens, sftCursor, sftExamples } from "./data.js";
import { sftMicroBatchLoss } from "./step.js";

/** Optimizer steps for `epochs` passes (HF: update steps per epoch = batches // G, at least 1). */
export function sftTotalSteps(items: number, config: SftStage): number {
  const batchesPerEpoch = Math.ceil(items / config.batch_size);
  const stepsPerEpoch = Math.max(1, Math.floor(batchesPerEpoch / config.gradient_accumulation_steps));
  const steps = Math.ceil(config.epochs * stepsPerEpoch);
  return config.max_steps === null ? steps : Math.min(steps, config.max_steps);
}

export async function runSft(ctx: StageContext, config: SftStage): Promise<StageResult> {
  const tokenizer = await Tokenizer.load(ctx.tokenizerDir);
  const model = await loadModel(ctx.inputModelDir);
  try {
    if (config.max_seq_length > model.config.max_position_embeddings) {
      throw new PosttrainError(
        `stages.${config.name}.max_seq_length ${config.max_seq_length} exceeds the model's max_position_embeddings ${model.config.max_position_embeddings}`,
      );
    }
    const { examples, dropped } = await sftExamples(config.data, tokenizer, config.max_seq_length);
    if (examples.length === 0) throw new PosttrainError(`stages.${config.name}.data: no conversation with an assistant token`);
    const items = config.packing ? { rows: packRows(examples, tokenizer.padId, config.max_seq_length) } : { examples };
    const count = items.rows?.length ?? examples.length;
    const totalSteps = sftTotalSteps(count, config);
    const dataSeed = config.data_seed ?? deriveSeed(ctx.recipe.seed, "data", config.name);
    ctx.log(
      `${examples.length} conversations (${dropped} without assistant tokens dropped)` +
        `${config.packing ? ` packed into ${count} rows` : ""}; ${totalSteps} steps, reduce ${config.reduce}`,
    );
    const { lastLoss } = await trainWithCheckpoints({
      host: ctx,
      model,
      optim: config,
      totalSteps,
      openData: (position) =>
        sftCursor(items, {
          batchSize: config.batch_size,
          accumulation: config.gradient_accumulation_steps,
          seed: dataSeed,
          padId: tokenizer.padId,
          start: position,
        }),
      microBatch: ({ batch, stepLabelTokens }) => {
        const { loss, grads } = lossAndGrads(model, () =>
          sftMicroBatchLoss(model, batch, {
            reduce: config.reduce,
            numItemsInBatch: stepLabelTokens,
            gradientAccumulationSteps: config.gradient_accumulation_steps,
          }),
        );
        // Each micro-batch's loss is already its share of the step loss: weights sum to 1 over the step.
        return { loss, grads, weight: 1 / config.gradient_accumulation_steps, tokens: realTokens(batch) };
      },
    });
    const modelDir = join(ctx.stageDir, "model");
    await saveModel(modelDir, model, { tokenizer });
    return {
      modelDir,
      summary: { final_loss: lastLoss, steps: totalSteps, examples: examples.length, reduce: config.reduce, data_seed: dataSeed },
    };
  } finally {
    model.dispose();
  }
}
