/** One query's result from Trino: columns (name, Trino type) and rows as JSON values. */
export interface TrinoResult {
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
}

/** Trino refused or failed the query: the message is Trino's, with its error name. */
export class TrinoQueryError extends Error {}

/**
 * Runs one statement over Trino's client protocol (POST /v1/statement, then GET each nextUri until
 * none is left), with `quarry` as the session catalog so `db.table` names a Quarry table.
 */
export async function runTrinoStatement(serverUrl: string, sql: string, options: { user?: string; catalog?: string; signal?: AbortSignal } = {}): Promise<TrinoResult> {
  const headers = { 'X-Trino-User': options.user ?? 'quarry', 'X-Trino-Catalog': options.catalog ?? 'quarry', 'X-Trino-Time-Zone': 'UTC' };
  let response = await fetch(new URL('/v1/statement', serverUrl), { method: 'POST', headers, body: sql, signal: options.signal });
  const result: TrinoResult = { columns: [], rows: [] };
  for (;;) {
    if (!response.ok) throw new TrinoQueryError(`Trino answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { nextUri?: string; columns?: Array<{ name: string; type: string }>; data?: unknown[][]; error?: { message: string; errorName?: string } };
    if (page.error) throw new TrinoQueryError(`Trino failed the query (${page.error.errorName ?? 'error'}): ${page.error.message}`);
    if (page.columns && result.columns.length === 0) result.columns = page.columns.map((c) => ({ name: c.name, type: c.type }));
    if (page.data) result.rows.push(...page.data);
    if (!page.nextUri) return result;
    // Trino answers 503 while busy; the protocol says to retry the same URI.
    for (let attempt = 0; ; attempt++) {
      response = await fetch(page.nextUri, { headers, signal: options.signal });
      if (response.status !== 503 || attempt > 100) break;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
