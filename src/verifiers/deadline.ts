/**
 * Cooperative time budget for one check. Long-running loops (the LaTeX parser, the evaluator) call `check()`;
 * past the deadline it throws BudgetExceeded, which the registry turns into `correct: false` with a reason.
 * The async pool adds a hard timeout on top (a worker that does not yield is terminated).
 */
export class BudgetExceeded extends Error {
  override name = "BudgetExceeded";
}

export class Deadline {
  private calls = 0;
  /** @param at absolute time in performance.now() milliseconds */
  constructor(readonly at: number) {}

  static after(ms: number): Deadline {
    return new Deadline(performance.now() + ms);
  }

  /** Throws BudgetExceeded once the budget is spent; reads the clock every 64 calls to stay cheap. */
  check(): void {
    if ((++this.calls & 63) !== 0) return;
    if (performance.now() > this.at) throw new BudgetExceeded("time budget exceeded");
  }

  /** Reads the clock now (for coarse steps that are each expensive). */
  checkNow(): void {
    if (performance.now() > this.at) throw new BudgetExceeded("time budget exceeded");
  }

  /** The deadline as a Date.now()-based timestamp, for callees that take one. */
  get epochMs(): number {
    return Date.now() + (this.at - performance.now());
  }
}
