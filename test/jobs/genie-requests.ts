import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** Small helpers for driving Genie's /api/v3 through `app.inject()` in registry tests. */

export const API = '/api/v3';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function call(app: FastifyInstance, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: url.startsWith('/api') ? url : `${API}${url}`,
    ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }),
    ...(body === undefined && Object.keys(headers).length > 0 ? { headers } : {}),
  });
}

/** Calls and asserts the status, showing the body when it differs. */
export async function expectStatus(app: FastifyInstance, method: Method, url: string, status: number, body?: unknown): Promise<LightMyRequestResponse> {
  const res = await call(app, method, url, body);
  assert.equal(res.statusCode, status, `${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return res;
}

/** Creates a resource and answers the id from the Location header. */
export async function create(app: FastifyInstance, path: 'applications' | 'clusters' | 'commands', body: Record<string, unknown>): Promise<string> {
  const res = await expectStatus(app, 'POST', `/${path}`, 201, body);
  const location = String(res.headers.location);
  return decodeURIComponent(location.split('/').at(-1)!);
}

export const app = (fields: Record<string, unknown> = {}) => ({ name: 'spark', user: 'genie', version: '3.0.0', status: 'ACTIVE', ...fields });
export const cluster = (fields: Record<string, unknown> = {}) => ({ name: 'h2prod', user: 'genie', version: '2.7.1', status: 'UP', ...fields });
export const command = (fields: Record<string, unknown> = {}) => ({
  name: 'spark-submit',
  user: 'genie',
  version: '3.0.0',
  status: 'ACTIVE',
  executableAndArguments: ['/bin/bash'],
  ...fields,
});

export function ids(list: Array<{ id: string }>): string[] {
  return list.map((item) => item.id);
}
