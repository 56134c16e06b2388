import { loadPipelineConfig, type PipelineConfig } from '../../src/config/pipeline-config.ts';
import type { FastifyInstance } from 'fastify';

/** The pipeline settings tests run with: the sink off (tests drive it), other settings overridable. */
export function testPipelineConfig(overrides: Partial<Omit<PipelineConfig, 'sink'>> & { sink?: Partial<PipelineConfig['sink']> } = {}): PipelineConfig {
  const defaults = loadPipelineConfig(undefined);
  return { ...defaults, ...overrides, sink: { ...defaults.sink, enabled: false, ...overrides.sink } };
}

export const CLICKS = {
  table: 'web.clicks',
  eventTime: 'ts',
  fields: [
    { name: 'id', type: 'long', required: true },
    { name: 'user', type: 'string' },
    { name: 'ts', type: 'timestamptz', required: true },
  ],
};

/** Sends a batch to the collector through the app. */
export async function send(app: FastifyInstance, stream: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'POST', url: `/api/pipeline/v1/streams/${stream}/events`, payload: body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: response.statusCode, headers: response.headers, body: response.json() as { accepted: number; rejected: number; errors: { line: number; reason: string }[]; message?: string } };
}
