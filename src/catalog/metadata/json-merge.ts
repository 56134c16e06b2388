export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `patch` into `target` as Metacat merges user metadata: objects merge key by key, recursively;
 * arrays and scalars in the patch replace what was there; a null in the patch removes the key
 * (JSON Merge Patch, RFC 7396). Returns a new object; neither input is changed.
 */
export function mergeJson(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isJsonObject(value) && isJsonObject(out[key])) out[key] = mergeJson(out[key] as JsonObject, value);
    else out[key] = value;
  }
  return out;
}
