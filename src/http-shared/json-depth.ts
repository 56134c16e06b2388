/**
 * How deeply a JSON request body may nest arrays and objects. Recursive code all the way down —
 * validation, error previews, copying, the databases' JSON types — has a stack; a 10 KB body of
 * nested `[` must be refused where it is parsed, before any of it runs. Genie-style metadata is a
 * few levels deep; 100 leaves room for any honest document.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Refusal of a body nested past the limit: a 400 in every area (it is a malformed request, as
 * Spring's Jackson nesting limit is one for Genie), carried as a Fastify-style error with
 * `statusCode` so each area's error handler maps it like the framework's own parse errors.
 */
export class JsonTooDeepError extends Error {
  readonly statusCode = 400;
  readonly code = 'QUARRY_JSON_TOO_DEEP';

  constructor(readonly limit: number) {
    super(`The JSON body nests arrays and objects more than ${limit} levels deep; flatten it to at most ${limit} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * Throws JsonTooDeepError when `text` nests `[`/`{` more than `limit` levels. One pass over the
 * characters, no recursion, brackets inside strings ignored; it judges depth only and leaves syntax
 * to JSON.parse (an unbalanced text passes here and fails there).
 */
export function assertJsonDepth(text: string, limit = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth += 1;
      if (depth > limit) throw new JsonTooDeepError(limit);
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth -= 1;
    }
  }
}

/**
 * The same limit for a value some other parser already built (a multipart field typed JSON is
 * parsed by the multipart plugin, not by our body parser). Walks with its own stack, so the check
 * cannot overflow the call stack it protects.
 */
export function assertValueDepth(value: unknown, limit = MAX_JSON_DEPTH): void {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (typeof next !== 'object' || next === null) continue;
    if (depth + 1 > limit) throw new JsonTooDeepError(limit);
    for (const child of Array.isArray(next) ? next : Object.values(next)) pending.push([child, depth + 1]);
  }
}
