/**
 * Whether Python's `json.loads` would accept a string. It is JSON.parse's grammar plus the
 * constants `NaN`, `Infinity` and `-Infinity`, which Python accepts and JSON.parse does not.
 */

/** True if `json.loads(text)` would succeed (deep nesting aside). */
export function isJsonLikePython(text: string): boolean {
  if (tryParse(text)) return true;
  if (!/NaN|Infinity/.test(text)) return false;
  return tryParse(replacePythonConstants(text));
}

function tryParse(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** True where a JSON value may start: at the beginning, or after "[", "," or ":" (whitespace aside). */
function atValuePosition(before: string): boolean {
  const prev = before.trimEnd().at(-1);
  return prev === undefined || prev === "[" || prev === "," || prev === ":";
}

/** Replace NaN / Infinity / -Infinity outside strings by 0, leaving everything else as is. */
function replacePythonConstants(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    const constant = atValuePosition(out) ? ["-Infinity", "Infinity", "NaN"].find((c) => text.startsWith(c, i)) : undefined;
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (constant) {
      out += "0";
      i += constant.length - 1;
    } else {
      out += ch;
    }
  }
  return out;
}
