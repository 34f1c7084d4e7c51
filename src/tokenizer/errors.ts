import { PosttrainError } from "../errors.js";

/** A tokenizer file or input the tokenizer cannot use: names the file (or "tokenizer") and the field. */
export class TokenizerError extends PosttrainError {
  override name = "TokenizerError";
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}
