/**
 * The UI's only way to the server: the public HTTP APIs, same origin. Every failure becomes an
 * ApiError carrying the server's own message, so pages can show it instead of going blank.
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const TOKEN_KEY = 'quarry.token';

/** The bearer token a user pasted (when authentication is on); sent like any API client's. */
export function apiToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setApiToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

function withAuth(headers: HeadersInit = {}): Headers {
  const result = new Headers(headers);
  const token = apiToken();
  if (token) result.set('authorization', `Bearer ${token}`);
  return result;
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let message = text || response.statusText;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
    if (typeof body.message === 'string') message = body.message;
    else if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: the text itself is the message
  }
  return new ApiError(response.status, `${response.status}: ${message}`);
}

/** Any request; throws ApiError on a status outside 2xx. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: withAuth(init.headers) });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, { headers: { accept: 'application/json' }, signal });
  return (await response.json()) as T;
}

export async function sendJson<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T | undefined> {
  const response = await request(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return text ? (JSON.parse(text) as T) : undefined;
}

/** Builds a query string from a record, repeating array values (Genie's status=A&status=B). */
export function queryString(params: Record<string, string | number | string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
