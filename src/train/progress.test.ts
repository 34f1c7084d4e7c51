import { describe, expect, it } from "vitest";
import { formatDuration, Progress } from "./progress.js";

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("Progress", () => {
  it("redraws one line in place on a TTY, with rate and ETA", () => {
    const out: string[] = [];
    const clock = fakeClock();
    const bar = new Progress({ total: 4, label: "sft", write: (s) => out.push(s), isTTY: true, now: clock.now, width: 4 });
    clock.advance(2000);
    bar.update({ step: 1, loss: 2.5, tokens: 1000 });
    // 1000 tokens in 2 s = 500 tok/s; 3 steps left at 2 s/step = 6 s.
    expect(out[0]).toBe("\rsft  [#---]  1/4  loss 2.5000  500 tok/s  ETA 6s\x1b[K");
    clock.advance(6000);
    bar.update({ step: 4, loss: 1.25, tokens: 3000 });
    expect(out[1]).toBe("\rsft  [####]  4/4  loss 1.2500  500 tok/s  in 8s\x1b[K\n");
    bar.update({ step: 5 });
    expect(out).toHaveLength(2);
  });

  it("prints occasional plain lines when not a TTY", () => {
    const out: string[] = [];
    const clock = fakeClock();
    const bar = new Progress({ total: 100, label: "dpo", write: (s) => out.push(s), isTTY: false, now: clock.now, plainIntervalMs: 10_000 });
    for (let step = 1; step <= 100; step++) {
      clock.advance(1000);
      bar.update({ step, loss: 1, extra: { acc: 0.75 } });
    }
    // Steps 1, 11, 21, ... 91 (every 10 s of the fake clock) and the final step.
    expect(out).toHaveLength(11);
    expect(out.every((line) => !line.includes("\r") && line.endsWith("\n"))).toBe(true);
    expect(out[0]).toBe("dpo  1/100  loss 1.0000  acc 0.7500  ETA 1m39s\n");
    expect(out[10]).toBe("dpo  100/100  loss 1.0000  acc 0.7500  in 1m40s\n");
  });

  it("formats durations", () => {
    expect(formatDuration(59.4)).toBe("59s");
    expect(formatDuration(75)).toBe("1m15s");
    expect(formatDuration(3725)).toBe("1h02m");
  });
});
