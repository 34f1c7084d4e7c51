/**
 * Reading one instruction's kwargs the way the reference's `build_description(**kwargs)` would,
 * except that where the reference would silently draw a random value (a missing, null or negative
 * kwarg) or crash (an unknown key, a wrong type), we throw a VerifierSpecError naming the field.
 */
import { VerifierSpecError } from "../../errors.js";

export type Relation = "less than" | "at least";

export class KwargsReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly kwargs: Record<string, unknown>,
    /** e.g. `kwargs[2] (keywords:frequency)`, used in error messages. */
    readonly where: string,
  ) {}

  private fail(key: string, problem: string): never {
    throw new VerifierSpecError(`ifeval: ${this.where}.${key}: ${problem}`);
  }

  private get(key: string): unknown {
    this.used.add(key);
    const v = this.kwargs[key];
    if (v === undefined || v === null) {
      this.fail(key, "missing (the reference would substitute a random value)");
    }
    return v;
  }

  /** A finite number; `min` is the smallest value the reference keeps (below it, it randomises). */
  number(key: string, min = 0): number {
    const v = this.get(key);
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(key, `expected a number, got ${JSON.stringify(v)}`);
    if (v < min) this.fail(key, `must be >= ${min}, got ${v}`);
    return v;
  }

  string(key: string): string {
    const v = this.get(key);
    if (typeof v !== "string") this.fail(key, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A non-empty string (the reference treats "" like a missing value). */
  nonEmptyString(key: string): string {
    const v = this.string(key);
    if (v.length === 0) this.fail(key, "must not be empty");
    return v;
  }

  /** A non-empty list of strings. */
  stringList(key: string): string[] {
    const v = this.get(key);
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string")) {
      this.fail(key, `expected a non-empty list of strings, got ${JSON.stringify(v)}`);
    }
    return v as string[];
  }

  relation(key: string): Relation {
    const v = this.get(key);
    if (v !== "less than" && v !== "at least") {
      this.fail(key, `must be "less than" or "at least", got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** After reading: any other non-null key is an argument the reference's build_description rejects. */
  finish(): void {
    for (const [k, v] of Object.entries(this.kwargs)) {
      if (!this.used.has(k) && v !== null && v !== undefined) {
        this.fail(k, "unexpected argument for this instruction");
      }
    }
  }
}

export function compare(actual: number, relation: Relation, threshold: number): boolean {
  return relation === "less than" ? actual < threshold : actual >= threshold;
}
