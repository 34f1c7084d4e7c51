/**
 * The soup stage: a weighted average of earlier stages' models (model souping, Wortsman et al. 2022;
 * open-instruct merge_models.py's linear merge; OLMo 2 soups its stage-2 anneals):
 *
 *   θ_soup = Σ_i w_i · θ_i,   w_i = weights_i / Σ_j weights_j   (uniform by default)
 *
 * All models must have the same config (same tensor names and shapes).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PosttrainError } from "../errors.js";
import { loadModel, saveModel } from "../checkpoint/index.js";
import { Olmo2Model, type HostTensor } from "../model/index.js";
import type { SoupStage } from "../recipe/index.js";
import { Tokenizer } from "../tokenizer/index.js";
import type { StageContext, StageResult } from "../recipe/index.js";

/** Σ_i w_i · tensors_i per name, in float32, accumulated in float64 for order-independence up to rounding. */
export function averageTensors(models: Map<string, HostTensor>[], weights: number[]): Map<string, HostTensor> {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new PosttrainError("soup: the weights sum to 0");
  const out = new Map<string, HostTensor>();
  for (const [name, first] of models[0]!) {
    const acc = new Float64Array(first.data.length);
    models.forEach((tensors, i) => {
      const t = tensors.get(name);
      if (!t || t.data.length !== acc.length) throw new PosttrainError(`soup: model ${i} has no tensor ${name} of shape [${first.shape}]`);
      const w = weights[i]! / total;
      for (let k = 0; k < acc.length; k++) acc[k]! += w * t.data[k]!;
    });
    out.set(name, { shape: [...first.shape], data: Float32Array.from(acc) });
  }
  return out;
}

export async function runSoup(ctx: StageContext, config: SoupStage): Promise<StageResult> {
  const dirs = config.stages.map((name) => {
    const dir = ctx.previous.get(name)?.modelDir;
    if (!dir) throw new PosttrainError(`stages.${config.name}.stages: '${name}' produced no model`);
    return dir;
  });
  const configText = readFileSync(join(dirs[0]!, "config.json"), "utf8");
  for (const dir of dirs.slice(1)) {
    if (readFileSync(join(dir, "config.json"), "utf8") !== configText) {
      throw new PosttrainError(`stages.${config.name}: ${dir}/config.json differs from ${dirs[0]}/config.json`);
    }
  }
  const weights = config.weights ?? dirs.map(() => 1);
  const tensors: Map<string, HostTensor>[] = [];
  let modelConfig: Olmo2Model["config"] | null = null;
  for (const dir of dirs) {
    const model = await loadModel(dir);
    modelConfig = model.config;
    tensors.push(await model.toHostTensors());
    model.dispose();
  }
  const soup = Olmo2Model.fromTensors(modelConfig!, averageTensors(tensors, weights));
  const modelDir = join(ctx.stageDir, "model");
  try {
    await saveModel(modelDir, soup, { tokenizer: await Tokenizer.load(ctx.tokenizerDir) });
  } finally {
    soup.dispose();
  }
  ctx.log(`averaged ${config.stages.join(", ")} with weights ${weights.join(", ")}`);
  return { modelDir, summary: { stages: config.stages, weights } };
}
