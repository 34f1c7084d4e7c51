/**
 * Hendrycks MATH string equivalence, as open-instruct ports it (open_instruct/math_utils.py `strip_string`,
 * `hendrycks_is_equiv`; from hendrycks/math modeling/math_equivalence.py). Everything besides the
 * normalisation is exact string equality, and any exception inside `strip_string` (an unbalanced
 * `\text{ ` split, `\frac`/`\sqrt` at the very end, a non-integer `a/b`) falls back to comparing the raw strings.
 */
import { codePointAt, pyInt, pyLen, pyReplace } from "./pystr.js";

class StripError extends Error {}

/** `remove_right_units`: cut at `\text{ ` (with the space); more than one occurrence is an AssertionError. */
function removeRightUnits(s: string): string {
  if (!s.includes("\\text{ ")) return s;
  const splits = s.split("\\text{ ");
  if (splits.length !== 2) throw new StripError("AssertionError: more than one \\text{ ");
  return splits[0]!;
}

/** `fix_sqrt`: `\sqrt3` -> `\sqrt{3}` (one character); `\sqrt` at the end is an IndexError. */
function fixSqrt(s: string): string {
  if (!s.includes("\\sqrt")) return s;
  const splits = s.split("\\sqrt");
  let out = splits[0]!;
  for (const split of splits.slice(1)) {
    if (split.length === 0) throw new StripError("IndexError: \\sqrt at the end");
    const a = codePointAt(split, 0);
    out += a !== "{" ? "\\sqrt{" + a + "}" + split.slice(a.length) : "\\sqrt" + split;
  }
  return out;
}

/** `fix_fracs`: `\frac12` -> `\frac{1}{2}`, `\frac1{72}` -> `\frac{1}{72}`; a one-character tail returns the input. */
function fixFracs(s: string): string {
  const substrs = s.split("\\frac");
  let out = substrs[0]!;
  for (const substr of substrs.slice(1)) {
    out += "\\frac";
    if (substr.length === 0) throw new StripError("IndexError: \\frac at the end");
    const a = codePointAt(substr, 0);
    if (a === "{") {
      out += substr;
      continue;
    }
    if (pyLen(substr) < 2) return s;
    const b = codePointAt(substr, a.length);
    const rest = substr.slice(a.length + b.length);
    out += b !== "{" ? "{" + a + "}{" + b + "}" + rest : "{" + a + "}" + b + rest;
  }
  return out;
}

/** `fix_a_slash_b`: `3/8` -> `\frac{3}{8}` for canonical integers; a non-integer side raises ValueError. */
function fixASlashB(s: string): string {
  const parts = s.split("/");
  if (parts.length !== 2) return s;
  const a = pyInt(parts[0]!);
  const b = pyInt(parts[1]!);
  return s === `${a}/${b}` ? `\\frac{${a}}{${b}}` : s;
}

/** `strip_string`, step for step. Throws where the Python raises. */
export function stripString(input: string): string {
  let s = pyReplace(input, "\n", "");
  s = pyReplace(s, "\\!", "");
  s = pyReplace(s, "\\\\", "\\");
  s = pyReplace(s, "tfrac", "frac");
  s = pyReplace(s, "dfrac", "frac");
  s = pyReplace(s, "\\left", "");
  s = pyReplace(s, "\\right", "");
  s = pyReplace(s, "^{\\circ}", "");
  s = pyReplace(s, "^\\circ", "");
  s = pyReplace(s, "\\$", "");
  s = removeRightUnits(s);
  s = pyReplace(s, "\\%", "");
  s = pyReplace(s, " .", " 0.");
  s = pyReplace(s, "{.", "{0.");
  if (s.length === 0) return s;
  if (s[0] === ".") s = "0" + s;
  const eq = s.split("=");
  if (eq.length === 2 && pyLen(eq[0]!) <= 2) s = eq[1]!;
  s = fixSqrt(s);
  s = pyReplace(s, " ", "");
  s = fixFracs(s);
  if (s === "0.5") s = "\\frac{1}{2}";
  return fixASlashB(s);
}

/** `hendrycks_is_equiv(str1, str2)`: equal after `strip_string`, or raw-equal when stripping raised. */
export function hendrycksIsEquiv(a: string, b: string): boolean {
  try {
    return stripString(a) === stripString(b);
  } catch {
    return a === b;
  }
}
