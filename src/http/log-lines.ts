/** Where formatted lines go; process.stdout by default. */
export interface LineSink {
  write(text: string): unknown;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

// Pino's own fields, and the request/response/error objects shown in their own way below.
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'err', 'responseTime', 'v']);

/**
 * A pino destination that prints each record as one line a person reads at a terminal:
 * `12:00:01.234 INFO  [req-1] GET /api/v3/jobs → 202 4.1ms` or `… WARN  message key=value`, with an
 * error's stack indented below it. Fastify logs a request twice (arrival, completion); the arrival
 * is held back and printed with the completion as one line, so a request is one line. Pino hands
 * it one JSON record per write; anything that does not parse as one is passed through untouched.
 */
export function humanLogStream(sink: LineSink = process.stdout): LineSink {
  // Requests in flight by id; bounded by open requests (each is removed when it completes).
  const arrived = new Map<string, string>();
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        const record = parseRecord(line);
        const req = record?.req as { method?: string; url?: string } | undefined;
        if (record && typeof record.reqId === 'string' && record.msg === 'incoming request' && req?.method) {
          arrived.set(record.reqId, `${req.method} ${req.url ?? ''}`);
          continue;
        }
        let text = record ? formatFields(record) : line;
        if (record && typeof record.reqId === 'string' && record.res !== undefined) {
          const request = arrived.get(record.reqId);
          arrived.delete(record.reqId);
          if (request) text = text.replace(`[${record.reqId}] `, `[${record.reqId}] ${request} `);
        }
        sink.write(`${text}\n`);
      }
      return true;
    },
  };
}

/** One pino JSON record as a human-readable line (or the input as is when it is not a record). */
export function formatRecord(json: string): string {
  const record = parseRecord(json);
  return record ? formatFields(record) : json;
}

function parseRecord(json: string): Record<string, unknown> | undefined {
  try {
    const record: unknown = JSON.parse(json);
    return typeof record === 'object' && record !== null && !Array.isArray(record) ? (record as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function formatFields(record: Record<string, unknown>): string {
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = (LEVELS[record.level as number] ?? String(record.level ?? '')).padEnd(5);
  const parts: string[] = [];
  if (typeof record.reqId === 'string') parts.push(`[${record.reqId}]`);
  const req = record.req as { method?: string; url?: string; remoteAddress?: string } | undefined;
  const res = record.res as { statusCode?: number } | undefined;
  if (req?.method) parts.push(`${req.method} ${req.url ?? ''}`);
  if (res?.statusCode !== undefined) parts.push(`→ ${res.statusCode}${typeof record.responseTime === 'number' ? ` ${record.responseTime.toFixed(1)}ms` : ''}`);
  if (typeof record.msg === 'string' && !(record.msg === 'incoming request' && req) && !(record.msg === 'request completed' && res)) parts.push(record.msg);
  for (const [key, value] of Object.entries(record)) {
    if (!SHOWN_APART.has(key) && value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  let text = `${time} ${level} ${parts.join(' ')}`;
  const err = record.err as { message?: string; stack?: string } | undefined;
  if (err) {
    const stack = err.stack ?? err.message ?? JSON.stringify(err);
    // Indented, so every record still starts at the left margin.
    text += `\n${stack.split('\n').map((l) => `    ${l}`).join('\n')}`;
  }
  return text;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
