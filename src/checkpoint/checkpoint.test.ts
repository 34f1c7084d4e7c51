import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../engine/index.js";
import { CheckpointError } from "../errors.js";
import { Olmo2Model, configFromPreset } from "../model/index.js";
import { Rng } from "../rng.js";
import { atomicWrite, configFromHF, f32ToBf16Bits, loadModel, loadTrainerState, readSafetensors, saveModel, saveTrainerState, writeSafetensors } from "./index.js";

let dir: string;
beforeAll(async () => {
  await initBackend("wasm");
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "posttrain-ckpt-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function logits(model: Olmo2Model): Float32Array {
  return tf.tidy(() => model.forward(tf.tensor2d([[3, 9, 14, 2, 40]], undefined, "int32")).dataSync() as Float32Array);
}

describe("HF checkpoints", () => {
  it("save then load gives identical logits (F32), with HF names and config fields", async () => {
    for (const overrides of [{}, { tie_word_embeddings: true }, { head_dim: 8 }]) {
      const model = Olmo2Model.init(configFromPreset("micro", overrides), 1);
      const out = path.join(dir, `f32-${JSON.stringify(overrides).replace(/\W/g, "")}`);
      await saveModel(out, model);
      const loaded = await loadModel(out);
      expect(Array.from(logits(loaded))).toEqual(Array.from(logits(model)));
      const config = JSON.parse(await fs.readFile(path.join(out, "config.json"), "utf8"));
      expect(config.model_type).toBe("olmo2");
      expect(config.architectures).toEqual(["Olmo2ForCausalLM"]);
      expect(config.rope_theta).toBe(500000);
      expect(config.rms_norm_eps).toBe(1e-6);
      const { tensors } = await readSafetensors(path.join(out, "model.safetensors"));
      expect(tensors.has("lm_head.weight")).toBe(!("tie_word_embeddings" in overrides));
      expect(tensors.has("model.layers.1.self_attn.q_norm.weight")).toBe(true);
      expect(JSON.parse(await fs.readFile(path.join(out, "generation_config.json"), "utf8")).eos_token_id).toBe(2);
      model.dispose();
      loaded.dispose();
    }
  });

  it("BF16 round trip stays close and rounds to nearest even", async () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 2);
    const out = path.join(dir, "bf16");
    await saveModel(out, model, { dtype: "BF16" });
    const loaded = await loadModel(out);
    const a = logits(model);
    const b = logits(loaded);
    const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
    expect(worst).toBeLessThan(2e-2);
    expect(worst).toBeGreaterThan(0);
    // 1 + 2^-8 is halfway between two bf16 values: ties go to the even one (1.0); just above rounds up.
    const bits = f32ToBf16Bits(new Float32Array([1 + 2 ** -8, 1 + 2 ** -8 + 2 ** -20, 1 + 3 * 2 ** -8, -2.5]));
    expect(Array.from(bits)).toEqual([0x3f80, 0x3f81, 0x3f82, 0xc020]);
    model.dispose();
    loaded.dispose();
  });

  it("a truncated weights file is an error naming the file and the tensor", async () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 3);
    const out = path.join(dir, "truncated");
    await saveModel(out, model);
    const file = path.join(out, "model.safetensors");
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 100));
    const err = await loadModel(out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/tensor model\.\S+ needs bytes/);
    model.dispose();
  });

  it("a tensor whose shape disagrees with config.json is an error naming it", async () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 3);
    const out = path.join(dir, "mismatch");
    await saveModel(out, model);
    const configFile = path.join(out, "config.json");
    const config = JSON.parse(await fs.readFile(configFile, "utf8"));
    config.intermediate_size = 48;
    await fs.writeFile(configFile, JSON.stringify(config));
    await expect(loadModel(out)).rejects.toThrow(/model\.safetensors: tensor model\.layers\.0\.mlp\.gate_proj\.weight has shape \[32,16\], config\.json expects \[48,16\]/);
    model.dispose();
  });

  it("reads F16 weights and transformers-5 rope_parameters", async () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 4);
    const out = path.join(dir, "f16");
    await saveModel(out, model);
    const host = await model.toHostTensors();
    await writeSafetensors(path.join(out, "model.safetensors"), host, { dtype: "F16" });
    const configFile = path.join(out, "config.json");
    const config = JSON.parse(await fs.readFile(configFile, "utf8"));
    delete config.rope_theta;
    config.rope_parameters = { rope_type: "default", rope_theta: 500000 };
    await fs.writeFile(configFile, JSON.stringify(config));
    const loaded = await loadModel(out);
    expect(loaded.config.rope_theta).toBe(500000);
    const a = logits(model);
    const b = logits(loaded);
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(5e-3);
    model.dispose();
    loaded.dispose();
  });

  it("loads a sharded folder (model.safetensors.index.json)", async () => {
    const model = Olmo2Model.init(configFromPreset("micro"), 6);
    const out = path.join(dir, "sharded");
    await saveModel(out, model);
    await fs.rm(path.join(out, "model.safetensors"));
    const host = await model.toHostTensors();
    const names = [...host.keys()];
    const shards = [names.slice(0, 5), names.slice(5)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(path.join(out, file), new Map(shard.map((n) => [n, host.get(n)!])));
      for (const n of shard) weightMap[n] = file;
    }
    await fs.writeFile(path.join(out, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const loaded = await loadModel(out);
    expect(Array.from(logits(loaded))).toEqual(Array.from(logits(model)));
    model.dispose();
    loaded.dispose();
  });

  it("writes atomically: an existing file is replaced whole and no temporary file is left", async () => {
    const file = path.join(dir, "atomic", "x.json");
    await atomicWrite(file, "old");
    await atomicWrite(file, ["new ", "content"].map((s) => Buffer.from(s)));
    expect(await fs.readFile(file, "utf8")).toBe("new content");
    expect(await fs.readdir(path.dirname(file))).toEqual(["x.json"]);
  });

  it("config.json: HF defaults fill missing fields; unsupported variants name the field", () => {
    const c = configFromHF({ model_type: "olmo2", vocab_size: 64, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 4, eos_token_id: 2 });
    expect(c.num_key_value_heads).toBe(4);
    expect(c.rms_norm_eps).toBe(1e-5);
    expect(c.rope_theta).toBe(10000);
    expect(configFromHF({ ...c, model_type: "olmo2", eos_token_id: null }).eos_token_id).toEqual([]);
    expect(configFromHF({ ...c, model_type: "olmo2", eos_token_id: [2, 3], head_dim: 8 })).toMatchObject({ eos_token_id: [2, 3], head_dim: 8 });
    expect(() => configFromHF({ model_type: "llama" }, "x/config.json")).toThrow(/x\/config.json: field model_type/);
    expect(() => configFromHF({ model_type: "olmo2", rope_scaling: { rope_type: "yarn" } })).toThrow(/rope_scaling/);
  });
});

describe("trainer state", () => {
  it("round-trips step, optimizer tensors, rng and data position; keeps one optimizer file", async () => {
    const out = path.join(dir, "state");
    expect(await loadTrainerState(out)).toBeNull();
    const rng = new Rng(9);
    rng.next();
    const m = { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
    await saveTrainerState(out, { step: 3, optimizer: new Map([["m.w", m]]), rng: rng.state(), dataPosition: { epoch: 0, index: 12 }, extra: { lr: 1e-4 } });
    await saveTrainerState(out, { step: 4, optimizer: new Map([["m.w", m]]), rng: rng.state(), dataPosition: { epoch: 0, index: 16 }, extra: { lr: 1e-4 } });
    const state = (await loadTrainerState(out))!;
    expect(state.step).toBe(4);
    expect(Array.from(state.optimizer!.get("m.w")!.data)).toEqual([1, 2, 3, 4]);
    expect(new Rng(state.rng!).next()).toBe(rng.next());
    expect(state.dataPosition).toEqual({ epoch: 0, index: 16 });
    expect(state.extra).toEqual({ lr: 1e-4 });
    expect((await fs.readdir(out)).filter((f) => f.startsWith("optimizer")).sort()).toEqual(["optimizer-4.safetensors"]);
  });
});
