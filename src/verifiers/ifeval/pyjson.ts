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
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (text.startsWith("-Infinity", i)) {
      out += "0";
      i += 8;
    } else if (text.startsWith("Infinity", i)) {
      out += "0";
      i += 7;
    } else if (text.startsWith("NaN", i) && text[i - 1] !== "-") {
      out += "0";
      i += 2;
    } else {
      out += ch;
    }
  }
  return out;
}
