/**
 * The argument handling every command shares: parse with node:util parseArgs (plus -h/--help), print the help,
 * and turn a UsageError raised while reading the values into `posttrain <command>: <problem>`, the help text,
 * and exit code 2. Unknown flags still throw from parseArgs (main.ts prints them, exit 1), as before.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BACKEND_NAMES, type BackendName } from "../engine/index.js";

/** A problem with the command line: reported with the command's help, exit code 2. */
export class UsageError extends Error {}

/** The option table parseArgs takes (node:util does not export its name). */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

type WithHelp<O extends ParseArgsOptionsConfig> = O & { help: { type: "boolean"; short: "h" } };

/** The values parseArgs returns for `options` (plus `help`). */
export type OptionValues<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: WithHelp<O>; allowPositionals: true }>
>["values"];

export interface ParsedCommand<O extends ParseArgsOptionsConfig, T> {
  values: OptionValues<O>;
  positionals: string[];
  /** What `read` made of the values. */
  opts: T;
}

/**
 * Parse `argv` for `posttrain <command>`. Returns the exit code when the command should stop here: 0 after
 * printing `help` for -h/--help, 2 after printing the UsageError `read` threw (with the help below it).
 * Otherwise returns the values, the positionals and what `read` returned. Positionals are an error (thrown by
 * parseArgs) unless `allowPositionals`.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig, T>(
  command: string,
  argv: string[],
  options: O,
  help: string,
  read: (values: OptionValues<O>, positionals: string[]) => T,
  allowPositionals = false,
): ParsedCommand<O, T> | number {
  const withHelp = { ...options, help: { type: "boolean", short: "h" } } as WithHelp<O>;
  const { values, positionals } = parseArgs({ args: argv, options: withHelp, allowPositionals });
  if ((values as { help?: boolean }).help) {
    console.log(help);
    return 0;
  }
  try {
    return { values, positionals, opts: read(values, positionals) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`posttrain ${command}: ${err.message}\n\n${help}`);
    return 2;
  }
}

/** The problem with a --backend value, or null when it names a backend. */
export function backendProblem(name: string): string | null {
  return (BACKEND_NAMES as readonly string[]).includes(name) ? null : `--backend must be one of ${BACKEND_NAMES.join(", ")}`;
}

/** The --backend value as a BackendName; throws UsageError for any other string. */
export function checkBackend(name: string): BackendName {
  const problem = backendProblem(name);
  if (problem) throw new UsageError(problem);
  return name as BackendName;
}

/**
 * A numeric flag: `fallback` when absent, else the number, which must be finite and pass `ok`; anything else
 * (an empty string included) throws UsageError naming the flag: `--<flag> has an invalid value '<raw>'`.
 */
export function numberOption(flag: string, raw: string | undefined, fallback: number, ok: (n: number) => boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} has an invalid value '${raw}'`);
  return n;
}

/** A whole number of at least 1 (counts, sizes, token budgets). */
export const isCount = (n: number): boolean => Number.isInteger(n) && n >= 1;
