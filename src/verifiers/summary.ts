/** Accuracy summary of a verification run: per verifier, and per IFEval instruction id (strict and loose). */
import type { VerifierName, VerifyResult } from "./types.js";

interface Tally {
  correct: number;
  total: number;
}

export class VerifySummary {
  private readonly perVerifier = new Map<VerifierName, Tally>();
  private readonly perInstruction = new Map<string, { strict: Tally; loose: Tally }>();
  private timeouts = 0;

  add(verifier: VerifierName, result: VerifyResult, instructionIds?: readonly string[]): void {
    const t = this.perVerifier.get(verifier) ?? { correct: 0, total: 0 };
    t.total++;
    if (result.correct) t.correct++;
    this.perVerifier.set(verifier, t);
    if (result.details.timeout === true) this.timeouts++;
    const strict = result.details.follow_instruction_list;
    const loose = (result.details.loose as { follow_instruction_list?: unknown } | undefined)?.follow_instruction_list;
    if (verifier !== "ifeval" || !instructionIds) return;
    instructionIds.forEach((id, i) => {
      const e = this.perInstruction.get(id) ?? { strict: { correct: 0, total: 0 }, loose: { correct: 0, total: 0 } };
      e.strict.total++;
      e.loose.total++;
      if (Array.isArray(strict) && strict[i] === true) e.strict.correct++;
      if (Array.isArray(loose) && loose[i] === true) e.loose.correct++;
      this.perInstruction.set(id, e);
    });
  }

  /** Plain-text report, one line per verifier and per instruction id. */
  format(): string {
    const pct = (t: Tally) => (t.total ? ((100 * t.correct) / t.total).toFixed(1) : "0.0");
    const lines = ["accuracy per verifier:"];
    for (const [name, t] of [...this.perVerifier].sort()) lines.push(`  ${name.padEnd(8)} ${t.correct}/${t.total} = ${pct(t)}%`);
    if (this.timeouts > 0) lines.push(`  (${this.timeouts} check(s) timed out and scored incorrect)`);
    if (this.perInstruction.size > 0) {
      let strict = { correct: 0, total: 0 };
      let loose = { correct: 0, total: 0 };
      lines.push("ifeval per instruction id (strict / loose):");
      for (const [id, e] of [...this.perInstruction].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`  ${id.padEnd(48)} ${e.strict.correct}/${e.strict.total} = ${pct(e.strict)}%   ${pct(e.loose)}%`);
        strict = { correct: strict.correct + e.strict.correct, total: strict.total + e.strict.total };
        loose = { correct: loose.correct + e.loose.correct, total: loose.total + e.loose.total };
      }
      lines.push(`  ${"instruction-level".padEnd(48)} ${strict.correct}/${strict.total} = ${pct(strict)}%   ${pct(loose)}%`);
    }
    return lines.join("\n");
  }
}
