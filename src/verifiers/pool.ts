/**
 * Async verification with concurrency and hard per-check timeouts, for `posttrain verify` and RLVR rewards.
 *
 * Checks run in worker threads (one job at a time per worker, at most `concurrency` at once through p-queue).
 * Each check has the cooperative time budget `timeBudgetMs` inside the verifier; if a worker has not answered
 * `timeBudgetMs + graceMs` after it got the job, it is terminated (a runaway check cannot block the pool), a
 * fresh worker replaces it, and the check scores incorrect with `details.timeout = true`.
 *
 * The worker runs the compiled dist/verifiers/worker.js (under vitest, the global setup builds it).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import PQueue from "p-queue";
import { VerifierSpecError } from "../errors.js";
import { failedResult, resolveVerifier } from "./registry.js";
import { DEFAULT_TIME_BUDGET_MS, type VerifyOptions, type VerifyResult, type VerifySpec } from "./types.js";
import type { JobMessage, ResultMessage } from "./worker.js";

export interface PoolOptions extends VerifyOptions {
  /** Checks in flight at once (= worker threads); default: available cores. */
  concurrency?: number;
  /** Extra time past `timeBudgetMs` before a silent worker is terminated; default 1000 ms. */
  graceMs?: number;
}

export interface VerifyJob {
  verifier: string;
  response: string;
  spec: VerifySpec;
}

/** dist/verifiers/worker.js, also when this module is loaded from src/ by a TypeScript runner. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith(".ts") ? here.replace(/[\\/]src[\\/]verifiers[\\/]pool\.ts$/, "/dist/verifiers/worker.js") : here.replace(/pool\.js$/, "worker.js");
  if (!existsSync(js)) throw new Error(`verifier worker not built: ${js} (run npm run build)`);
  return js;
}

interface Slot {
  worker: Worker;
  pending?: { id: number; resolve: (m: ResultMessage | "exit") => void };
}

export class VerifierPool {
  private readonly queue: PQueue;
  private readonly idle: Slot[] = [];
  private readonly file = workerFile();
  private nextId = 0;
  private closed = false;
  private readonly opts: Required<Pick<PoolOptions, "timeBudgetMs" | "graceMs">> & VerifyOptions;

  constructor(opts: PoolOptions = {}) {
    const concurrency = Math.max(1, Math.floor(opts.concurrency ?? availableParallelism()));
    this.queue = new PQueue({ concurrency });
    this.opts = { ...opts, timeBudgetMs: opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS, graceMs: opts.graceMs ?? 1000 };
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.file) };
    slot.worker.on("message", (m: ResultMessage) => {
      if (slot.pending?.id === m.id) slot.pending.resolve(m);
    });
    const gone = () => slot.pending?.resolve("exit");
    slot.worker.on("exit", gone);
    slot.worker.on("error", gone);
    return slot;
  }

  /** Scores one response; resolves incorrect on timeout or worker crash, rejects with VerifierSpecError on a bad spec. */
  verify(verifier: string, response: string, spec: VerifySpec): Promise<VerifyResult> {
    if (this.closed) return Promise.reject(new Error("verifier pool is closed"));
    const name = resolveVerifier(verifier);
    return this.queue.add(() => this.run({ id: this.nextId++, verifier: name, response, spec, opts: this.opts }));
  }

  /** Scores many responses; results come back in input order. */
  verifyAll(jobs: readonly VerifyJob[]): Promise<VerifyResult[]> {
    return Promise.all(jobs.map((j) => this.verify(j.verifier, j.response, j.spec)));
  }

  private async run(job: JobMessage): Promise<VerifyResult> {
    const slot = this.idle.pop() ?? this.spawn();
    slot.worker.ref();
    const limitMs = this.opts.timeBudgetMs + this.opts.graceMs;
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<ResultMessage | "exit" | "timeout">((resolve) => {
      slot.pending = { id: job.id, resolve };
      timer = setTimeout(() => resolve("timeout"), limitMs);
      slot.worker.postMessage(job);
    });
    clearTimeout(timer);
    slot.pending = undefined;
    if (reply === "timeout" || reply === "exit") {
      void slot.worker.terminate();
      return reply === "timeout"
        ? failedResult(`hard timeout: no verdict after ${limitMs} ms, check abandoned`, this.opts, { timeout: true })
        : failedResult("verifier worker exited", this.opts);
    }
    slot.worker.unref(); // an idle pool does not keep the process alive
    this.idle.push(slot);
    if ("specError" in reply) throw new VerifierSpecError(reply.specError);
    if ("crash" in reply) return failedResult(`verifier crashed: ${reply.crash}`, this.opts);
    return reply.result;
  }

  /** Waits for queued checks, then stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.onIdle();
    await Promise.all(this.idle.splice(0).map((s) => s.worker.terminate()));
  }
}

/** One-shot helper: a pool for `jobs`, results in input order, pool closed afterwards. */
export async function verifyMany(jobs: readonly VerifyJob[], opts: PoolOptions = {}): Promise<VerifyResult[]> {
  const pool = new VerifierPool({ ...opts, concurrency: Math.min(opts.concurrency ?? availableParallelism(), Math.max(1, jobs.length)) });
  try {
    return await pool.verifyAll(jobs);
  } finally {
    await pool.close();
  }
}
