/** Shared test fixtures for code that computes with tfjs (not exported from the module's index). */
import * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";

/**
 * Runs `run` on the cpu backend (where these tests live), then on wasm, the project's default, and expects
 * the same numbers to `digits` decimals; the cpu backend is restored even when the comparison fails.
 */
export async function expectWasmMatchesCpu(run: () => number[], digits = 6): Promise<void> {
  const onCpu = run();
  expect(await tf.setBackend("wasm")).toBe(true);
  try {
    run().forEach((x, i) => expect(x).toBeCloseTo(onCpu[i]!, digits));
  } finally {
    await tf.setBackend("cpu");
  }
}
