/**
 * A progress bar for one training stage: step/total, loss, tokens/s and ETA.
 *
 * It never prints by itself: output goes through `write` (only src/cli decides where text goes).
 * On a TTY it redraws one line in place (`\r`, clear-to-end); otherwise it writes a plain line at most
 * every `plainIntervalMs` (default 30 s) plus the last step, so CI logs stay short.
 */
export interface ProgressOptions {
  total: number;
  label: string;
  write: (text: string) => void;
  isTTY: boolean;
  /** Minimum time between plain (non-TTY) lines. */
  plainIntervalMs?: number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Bar width in characters on a TTY. */
  width?: number;
}

export interface ProgressUpdate {
  step: number;
  loss?: number;
  /** Tokens processed in this update (for tokens/s). */
  tokens?: number;
  /** Extra short fields shown after the standard ones, e.g. { reward: 4.2 }. */
  extra?: Record<string, number>;
}

export class Progress {
  private readonly options: Required<Omit<ProgressOptions, "now">> & { now: () => number };
  private readonly startedAt: number;
  private startStep: number | null = null;
  private tokens = 0;
  private lastPlainAt = -Infinity;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.options = { plainIntervalMs: 30_000, width: 24, now: () => Date.now(), ...options };
    this.startedAt = this.options.now();
  }

  update({ step, loss, tokens, extra }: ProgressUpdate): void {
    if (this.finished) return;
    const now = this.options.now();
    // Rates and ETA count from the first step seen, so a resumed run does not claim the skipped steps.
    if (this.startStep === null) this.startStep = step - 1;
    this.tokens += tokens ?? 0;
    const line = this.render(step, loss, extra, now);
    const last = step >= this.options.total;
    if (this.options.isTTY) {
      this.options.write(`\r${line}\x1b[K` + (last ? "\n" : ""));
    } else if (last || now - this.lastPlainAt >= this.options.plainIntervalMs) {
      this.options.write(line + "\n");
      this.lastPlainAt = now;
    }
    if (last) this.finished = true;
  }

  /** End the bar early (e.g. on error), leaving the cursor on a fresh line. */
  stop(): void {
    if (!this.finished && this.options.isTTY) this.options.write("\n");
    this.finished = true;
  }

  private render(step: number, loss: number | undefined, extra: Record<string, number> | undefined, now: number): string {
    const { total, label, width, isTTY } = this.options;
    const elapsedS = (now - this.startedAt) / 1000;
    const done = step - (this.startStep ?? 0);
    const parts = [label];
    if (isTTY) {
      const filled = Math.round((Math.min(step, total) / total) * width);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}]`);
    }
    parts.push(`${step}/${total}`);
    if (loss !== undefined) parts.push(`loss ${formatNumber(loss)}`);
    for (const [key, value] of Object.entries(extra ?? {})) parts.push(`${key} ${formatNumber(value)}`);
    if (this.tokens > 0 && elapsedS > 0) parts.push(`${Math.round(this.tokens / elapsedS)} tok/s`);
    if (done > 0 && elapsedS > 0 && step < total) parts.push(`ETA ${formatDuration(((total - step) * elapsedS) / done)}`);
    if (step >= total) parts.push(`in ${formatDuration(elapsedS)}`);
    return parts.join("  ");
  }
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? x.toExponential(2) : x.toFixed(4);
}

/** 75 -> "1m15s", 3725 -> "1h02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
