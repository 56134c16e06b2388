/** Reads a JSON text column written by the catalog; a null column gives the fallback. */
export function readJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** Writes a JSON text column; undefined and empty objects are stored as null where allowed. */
export function writeJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return null;
  return JSON.stringify(value);
}
