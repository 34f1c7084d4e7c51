/**
 * Worker-thread entry of the verifier pool (pool.ts): runs `verify` on each job message and posts the result,
 * or the VerifierSpecError's message. The pool terminates a worker that overruns its hard timeout.
 */
import { parentPort } from "node:worker_threads";
import { VerifierSpecError } from "../errors.js";
import { verify } from "./registry.js";
import type { VerifyOptions, VerifyResult, VerifySpec } from "./types.js";

export interface JobMessage {
  id: number;
  verifier: string;
  response: string;
  spec: VerifySpec;
  opts: VerifyOptions;
}
export type ResultMessage =
  | { id: number; result: VerifyResult }
  | { id: number; specError: string }
  | { id: number; crash: string };

const port = parentPort;
if (port) {
  port.on("message", (job: JobMessage) => {
    let reply: ResultMessage;
    try {
      reply = { id: job.id, result: verify(job.verifier, job.response, job.spec, job.opts) };
    } catch (err) {
      reply = err instanceof VerifierSpecError
        ? { id: job.id, specError: err.message }
        : { id: job.id, crash: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    port.postMessage(reply);
  });
}
