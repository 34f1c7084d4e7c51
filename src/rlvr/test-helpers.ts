/** Shared fixtures for the RLVR tests (not exported from the module's index). */
import { Olmo2Model, configFromPreset } from "../model/index.js";
import { stageWithDefaults, type RlvrStage } from "../recipe/index.js";
import { Rng } from "../rng.js";
import { rollout, type RolloutSample } from "./rollout.js";

export const PROMPTS = [[5, 9, 14, 3, 22], [40, 41], [8, 8, 17]];

export function microModel(seed = 21): Olmo2Model {
  return Olmo2Model.init(configFromPreset("micro", { initializer_range: 0.2 }), seed);
}

/** Sampled rollouts of the micro model: `g` per prompt, responses of varied lengths (EOS id 2). */
export async function microRollouts(model: Olmo2Model, g: number, seed = 3): Promise<RolloutSample[]> {
  return (await rollout(model, PROMPTS, { numGenerations: g, temperature: 1, maxResponseLength: 6, eosId: 2, rng: new Rng(seed) })).samples;
}

export function snapshot(model: Olmo2Model): Map<string, Float32Array> {
  return new Map([...model.weights].map(([name, v]) => [name, v.dataSync().slice() as Float32Array]));
}

/** Largest absolute difference between a model's weights and a snapshot. */
export function maxChange(model: Olmo2Model, before: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, v] of model.weights) {
    const now = v.dataSync();
    const was = before.get(name)!;
    for (let i = 0; i < now.length; i++) max = Math.max(max, Math.abs(now[i]! - was[i]!));
  }
  return max;
}

/** An rlvr stage config with the schema's defaults, overridden for micro-model tests. */
export function rlvrConfig(overrides: Partial<RlvrStage> = {}): RlvrStage {
  return stageWithDefaults("rlvr", { data: ["unused.jsonl"], ...overrides });
}
