/**
 * The demo's HTTP client of a Quarry server: the demo uses only the public APIs, as any user's
 * script would. An answer outside 2xx (or the codes a caller accepts) throws, naming the request
 * and the server's message.
 */
export class DemoClient {
  constructor(readonly url: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await fetch(new URL(path, this.url), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : safeJson(text);
    if (!response.ok && !accept.includes(response.status)) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 300);
      throw new Error(`${method} ${path} answered ${response.status}: ${message}`);
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  async get<T = unknown>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).body;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
