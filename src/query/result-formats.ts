import type { QueryColumn } from './query-engine.ts';

/** How a query's rows are written: JSON in one document, or streamed line by line. */
export type ResultFormat = 'json' | 'ndjson' | 'csv';

export const RESULT_FORMATS: readonly ResultFormat[] = ['json', 'ndjson', 'csv'];

export const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** Lines of a streamed result: CSV starts with a header line; NDJSON has one object per row. */
export async function* resultLines(format: 'ndjson' | 'csv', columns: readonly QueryColumn[], chunks: AsyncIterable<unknown[][]>): AsyncIterable<string> {
  if (format === 'csv') yield `${columns.map((c) => csvField(c.name)).join(',')}\n`;
  for await (const chunk of chunks) {
    let text = '';
    for (const row of chunk) {
      if (format === 'csv') text += `${row.map(csvValue).join(',')}\n`;
      else text += `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, row[i]])))}\n`;
    }
    if (text) yield text;
  }
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return csvField(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** RFC 4180 quoting: only fields with a comma, quote or line break are quoted. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
