import { afterEach, describe, expect, it, vi } from "vitest";
import { checkBackend, isCount, numberOption, parseCommand, UsageError } from "./args.js";

afterEach(() => vi.restoreAllMocks());

describe("cli args", () => {
  it("numberOption returns the fallback, the number, or a UsageError naming the flag", () => {
    expect(numberOption("seed", undefined, 7, Number.isInteger)).toBe(7);
    expect(numberOption("seed", "3", 7, Number.isInteger)).toBe(3);
    for (const raw of ["", " ", "abc", "1.5", "Infinity"]) {
      expect(() => numberOption("seed", raw, 7, Number.isInteger)).toThrow(new UsageError(`--seed has an invalid value '${raw}'`));
    }
    expect([0, 1, 2.5].map(isCount)).toEqual([false, true, false]);
  });

  it("checkBackend accepts the backend names and rejects others", () => {
    expect(checkBackend("cpu")).toBe("cpu");
    expect(() => checkBackend("gpu")).toThrow(/--backend must be one of auto, /);
  });

  it("parseCommand prints help (0), turns a UsageError into the message and help (2), else returns what read made", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const read = (values: { n?: string }) => numberOption("n", values.n, 1, isCount);
    const options = { n: { type: "string" } } as const;
    expect(parseCommand("demo", ["-h"], options, "HELP", read)).toBe(0);
    expect(log).toHaveBeenCalledWith("HELP");
    expect(parseCommand("demo", ["--n", "0"], options, "HELP", read)).toBe(2);
    expect(error).toHaveBeenCalledWith("posttrain demo: --n has an invalid value '0'\n\nHELP");
    expect(parseCommand("demo", ["--n", "4"], options, "HELP", read)).toMatchObject({ opts: 4, values: { n: "4" } });
    expect(() => parseCommand("demo", ["extra"], options, "HELP", read)).toThrow();
    expect(parseCommand("demo", ["extra"], options, "HELP", (_v, positionals) => positionals, true)).toMatchObject({ opts: ["extra"] });
  });
});
