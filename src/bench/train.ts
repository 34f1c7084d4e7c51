#!/usr/bin/env node
/**
 * `npm run bench` (node dist/bench/train.js [--presets tiny,small,base] [--steps N] [--warmup N]
 * [--gen-reps N] [--backend B]): training and generation speed per preset as a markdown table, beside
 * PyTorch's figures on the same machines (../shared/perf/README.md, copied below).
 * Each preset runs in its own child process (`--one PRESET`), so its peak RSS is its own and one
 * preset's wasm heap (which never shrinks) does not crowd the next.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BACKEND_NAMES, type BackendName, describeBackend, fusedKernelsActive, initBackendInfo } from "../engine/index.js";
import { type GenerateMeasurement, type TrainMeasurement, measureGeneration, measureTraining } from "./measure.js";

/**
 * Batch and sequence length per preset (issue 2), as in the anchor's bench_train.py. `checkpointUnfused`: the preset
 * recomputes each layer in the backward pass (activation checkpointing) when the native fused kernels are not active:
 * the plain tfjs ops' autodiff needs about 4 GiB at base's 4 x 512, the wasm heap's limit. With the fused kernels
 * base keeps its activations in about 2.9 GiB and skips the recomputation (about 23% less CPU per step).
 */
const SHAPES: Record<string, { batch: number; seq: number; checkpointUnfused: boolean }> = {
  tiny: { batch: 8, seq: 256, checkpointUnfused: false },
  small: { batch: 8, seq: 256, checkpointUnfused: false },
  base: { batch: 4, seq: 512, checkpointUnfused: true },
};

interface PresetResult {
  train: TrainMeasurement;
  gen1: GenerateMeasurement;
  gen8: GenerateMeasurement;
  rssMiB: number;
  /** Whether the training step recomputed each layer in the backward pass. */
  checkpoint: boolean;
}

/**
 * PyTorch 1.13.1 float32, 2 threads, OpenBLAS with AVX-512 kernels, on these machines
 * (../shared/perf/pytorch-cpu.md, measured 2026-11-27): tokens/s and training GFLOP/s.
 */
const PYTORCH: Record<string, { train: number; gflops: number; gen1: number; gen8: number }> = {
  tiny: { train: 14777, gflops: 145.3, gen1: 1501, gen8: 7717 },
  small: { train: 4773, gflops: 229.0, gen1: 584, gen8: 2171 },
  base: { train: 937, gflops: 223.9, gen1: 137, gen8: 615 },
};

const PROMPT_LEN = 32;
const NEW_TOKENS = 128;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** Which presets recomputed each layer in the backward pass (activation checkpointing), for the table's notes. */
function checkpointNote(rows: PresetResult[]): string {
  const names = rows.filter((r) => r.checkpoint).map((r) => r.train.preset);
  return names.length === 0
    ? "No preset recomputes layers in the backward pass (no activation checkpointing). "
    : `${names.join(", ")} recompute${names.length === 1 ? "s" : ""} each layer in the backward pass (activation checkpointing: the native fused kernels are not active), which adds about a third to the step. `;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      presets: { type: "string", default: "tiny,small,base" },
      one: { type: "string" },
      steps: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      "gen-reps": { type: "string", default: "3" },
      backend: { type: "string", default: "auto" },
    },
  });
  const presets = (values.one ?? values.presets).split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of presets) if (!SHAPES[p]) throw new Error(`unknown preset '${p}' (expected ${Object.keys(SHAPES).join(", ")})`);
  if (!(BACKEND_NAMES as readonly string[]).includes(values.backend)) throw new Error(`--backend must be one of ${BACKEND_NAMES.join(", ")}`);
  const steps = positiveInt("steps", values.steps);
  const warmup = Number(values.warmup);
  const reps = positiveInt("gen-reps", values["gen-reps"]);

  if (values.one) {
    // Child: measure one preset, print its result as one JSON line.
    console.error(describeBackend(await initBackendInfo(values.backend as BackendName)));
    const preset = presets[0]!;
    const { batch, seq, checkpointUnfused } = SHAPES[preset]!;
    const checkpoint = checkpointUnfused && !fusedKernelsActive();
    console.error(`${preset}: training ${batch}x${seq}${checkpoint ? " (checkpointed)" : ""}, ${warmup} warm-up + ${steps} steps ...`);
    const train = await measureTraining(preset, batch, seq, steps, warmup, checkpoint);
    console.error(`${preset}: ${fmt(train.tokensPerS)} tokens/s (step ${train.stepS.toFixed(3)} s), loss ${train.lossFirst.toFixed(3)} -> ${train.lossLast.toFixed(3)}; generating ...`);
    const gen1 = await measureGeneration(preset, 1, PROMPT_LEN, NEW_TOKENS, reps);
    const gen8 = await measureGeneration(preset, 8, PROMPT_LEN, NEW_TOKENS, reps);
    const result: PresetResult = { train, gen1, gen8, rssMiB: process.resourceUsage().maxRSS / 1024, checkpoint };
    console.log(JSON.stringify(result));
    return 0;
  }

  const loadBefore = os.loadavg()[0]!;
  let backend = "";
  const rows: PresetResult[] = [];
  for (const preset of presets) {
    const args = [fileURLToPath(import.meta.url), "--one", preset, "--steps", String(steps), "--warmup", String(warmup), "--gen-reps", String(reps), "--backend", values.backend];
    const child = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`preset ${preset} failed (exit ${child.status ?? child.signal})`);
    rows.push(JSON.parse(child.stdout.trim().split("\n").pop()!) as PresetResult);
    backend ||= describeBackend(await initBackendInfo(values.backend as BackendName));
  }

  const out: string[] = [
    `## posttrain bench (${backend}; Node ${process.version})`,
    "",
    `Training step = forward + cross-entropy + backward + AdamW, median of ${steps} steps after ${warmup} warm-up. ` +
      checkpointNote(rows) +
      "FLOPs/step = 6 * N_matmul * tokens + 12 * L * (H * head_dim) * seq * tokens (N_matmul: every matmul weight incl. lm_head, not the embedding). " +
      `Generation: greedy with the KV cache, prompt ${PROMPT_LEN}, ${NEW_TOKENS} new tokens, wall time incl. prefill, median of ${reps}. ` +
      "PyTorch: 1.13.1 float32, 2 threads, OpenBLAS AVX-512, same machines (../shared/perf). Peak RSS is that of the preset's own process. " +
      `Machine: ${os.cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(1)} at start and ${os.loadavg()[0]!.toFixed(1)} at end (other processes slow every figure when it exceeds the CPU count).`,
    "",
    "| preset | batch x seq | train tokens/s | step s (grad / AdamW) | GFLOP/s | gen tokens/s b1 | gen tokens/s b8 | peak RSS MiB | PyTorch train / b1 / b8 tokens/s | ours / PyTorch train / b1 / b8 |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const { train, gen1, gen8, rssMiB } of rows) {
    const pt = PYTORCH[train.preset]!;
    out.push(
      `| ${train.preset} | ${train.batch} x ${train.seq} | ${fmt(train.tokensPerS)} | ${train.stepS.toFixed(3)} (${train.gradS.toFixed(3)} / ${train.optimizerS.toFixed(3)}) | ` +
        `${fmt(train.gflops, 1)} | ${fmt(gen1.tokensPerS)} | ${fmt(gen8.tokensPerS)} | ${fmt(rssMiB)} | ` +
        `${fmt(pt.train)} / ${fmt(pt.gen1)} / ${fmt(pt.gen8)} | ` +
        `${(train.tokensPerS / pt.train).toFixed(2)} / ${(gen1.tokensPerS / pt.gen1).toFixed(2)} / ${(gen8.tokensPerS / pt.gen8).toFixed(2)} |`,
    );
  }
  console.log(out.join("\n"));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
