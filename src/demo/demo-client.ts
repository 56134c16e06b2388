/**
 * The demo's HTTP client of a Quarry server: the demo uses only the public APIs, as any user's
 * script would, with the credential it was given (demo-credential.ts; none in auth mode none). An
 * answer outside 2xx (or the codes a caller accepts) throws, naming the request and the server's
 * message; a 401 or 403 also says which credential the demo needs.
 */
export class DemoClient {
  constructor(
    readonly url: string,
    /** The Authorization header's value, if the server checks credentials. */
    private readonly authorization?: string,
  ) {}

  /** `extra` plus the demo's Authorization, for requests the demo sends without `request` (the collector's NDJSON). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.authorization ? { ...extra, authorization: this.authorization } : extra;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<{ status: number; body: T; headers: Headers }> {
    const send = () =>
      fetch(new URL(path, this.url), {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const response = method === 'GET' ? await retryingNetworkErrors(send) : await send();
    const text = await response.text();
    const parsed = text === '' ? undefined : safeJson(text);
    if (!response.ok && !accept.includes(response.status)) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 300);
      throw new Error(`${method} ${path} answered ${response.status}: ${message}${response.status === 401 || response.status === 403 ? credentialHint(this.authorization !== undefined) : ''}`);
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  async get<T = unknown>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).body;
  }
}

/** What to do when the server refuses the demo: it registers commands and declares streams, which only admins may. */
export function credentialHint(sentOne: boolean): string {
  return sentOne
    ? '. The demo needs an admin\'s credential: set QUARRY_SERVER_TOKEN to an admin token (quarry token create --user NAME --admin) or an admin\'s OIDC JWT'
    : '. The server checks credentials: set QUARRY_SERVER_TOKEN to an admin token (quarry token create --user NAME --admin), or set QUARRY_AUTH_MODE=tokens as the server has it, so the demo makes its own token on this host';
}

const NETWORK_TRIES = 5;

/**
 * Sends a request that is safe to repeat again when the connection failed (not when the server
 * answered): on a loaded machine a kept-alive socket the server is closing can take the request, and
 * fetch then fails without an answer. The last failure is thrown.
 */
export async function retryingNetworkErrors(send: () => Promise<Response>, signal?: AbortSignal): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= NETWORK_TRIES || signal?.aborted || !(error instanceof TypeError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
