/**
 * The number of members of the JSON object `text` (valid JSON, as JSON.parse accepted it), counted
 * on the text: its colons outside strings at depth one. JSON.parse keeps the last of duplicate keys
 * while DuckDB's JSON reader keeps the first, so an event's text may stand for its validated row
 * only when this count equals the parsed object's key count (no duplicates).
 */
export function topLevelKeyCount(text: string): number {
  let depth = 0;
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next unit is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x3a && depth === 1) count++;
  }
  return count;
}
