/** Where formatted lines go; process.stdout by default. */
export interface LineSink {
  write(text: string): unknown;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

// Pino's own fields, and the request/response/error objects shown in their own way below.
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'err', 'responseTime', 'v']);

/**
 * A pino destination that prints each record as one line a person reads at a terminal:
 * `12:00:01.234 INFO  [req-1] → GET /api/v3/jobs`, `… [req-1] ← 202 4.1ms` or `… WARN  message key=value`, with an
 * error's stack indented below it. Pino hands it one JSON record per write; anything that does not
 * parse as one is passed through untouched, so nothing logged is ever lost.
 */
export function humanLogStream(sink: LineSink = process.stdout): LineSink {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line) sink.write(`${formatRecord(line)}\n`);
      }
      return true;
    },
  };
}

/** One pino JSON record as a human-readable line (or the input as is when it is not a record). */
export function formatRecord(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  if (typeof record !== 'object' || record === null) return json;
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = (LEVELS[record.level as number] ?? String(record.level ?? '')).padEnd(5);
  const parts: string[] = [];
  if (typeof record.reqId === 'string') parts.push(`[${record.reqId}]`);
  const req = record.req as { method?: string; url?: string; remoteAddress?: string } | undefined;
  const res = record.res as { statusCode?: number } | undefined;
  // Fastify logs a request twice: "incoming request" with req, "request completed" with res.
  if (req?.method) parts.push(`→ ${req.method} ${req.url ?? ''}`);
  if (res?.statusCode !== undefined) parts.push(`← ${res.statusCode}${typeof record.responseTime === 'number' ? ` ${record.responseTime.toFixed(1)}ms` : ''}`);
  if (typeof record.msg === 'string' && !(record.msg === 'incoming request' && req) && !(record.msg === 'request completed' && res)) parts.push(record.msg);
  for (const [key, value] of Object.entries(record)) {
    if (!SHOWN_APART.has(key) && value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  let text = `${time} ${level} ${parts.join(' ')}`;
  const err = record.err as { message?: string; stack?: string } | undefined;
  if (err) {
    const stack = err.stack ?? err.message ?? JSON.stringify(err);
    // The message is already on the line unless pino used the error's as msg.
    text += `\n${stack.split('\n').map((l) => `    ${l}`).join('\n')}`;
  }
  return text;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
