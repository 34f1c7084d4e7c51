/**
 * The few typed errors the project throws. Each names what the user must fix:
 * the file, the line, the field, the tensor.
 */
export class PosttrainError extends Error {
  override name = "PosttrainError";
}

/** A bad data row: names the file, the 1-based line and the field. */
export class DataError extends PosttrainError {
  override name = "DataError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: field ${field || "(row)"}: ${problem}`);
  }
}

/** Several data problems reported at once. */
export class DataErrors extends PosttrainError {
  override name = "DataErrors";
  constructor(readonly errors: DataError[]) {
    super(`${errors.length} invalid row(s):\n` + errors.map((e) => "  " + e.message).join("\n"));
  }
}

/** A checkpoint file that is missing, truncated or does not match its config. */
export class CheckpointError extends PosttrainError {
  override name = "CheckpointError";
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/** A recipe that fails validation: every issue, with its dotted path. */
export class RecipeError extends PosttrainError {
  override name = "RecipeError";
  constructor(readonly file: string, readonly issues: { path: string; message: string }[]) {
    super(`${file}: ${issues.length} problem(s):\n` + issues.map((i) => `  ${i.path || "/"}: ${i.message}`).join("\n"));
  }
}

/** A bad verifier spec (ground truth, instruction ids, kwargs): the caller's fault, not the model's. */
export class VerifierSpecError extends PosttrainError {
  override name = "VerifierSpecError";
}
