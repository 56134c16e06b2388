import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { checkJobKill, checkJobUser } from '../../auth/job-access.ts';
import type {} from '../../auth/request-principal.ts';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { NotFoundError } from '../../errors/not-found-error.ts';
import { resolveRange } from '../../storage/byte-range.ts';
import { formatValidationErrors, preview } from '../../http-shared/validation-messages.ts';
import type { JobsArea } from '../jobs-area.ts';
import type { Attachment, SubmissionContext } from '../job-request.ts';
import type { JobStatus } from '../../protocol/agent/job-status.ts';
import { checkOutputPath } from '../../protocol/agent/output-path.ts';
import { contentTypeOf } from '../../protocol/agent/content-type.ts';
import { parseRangeHeader } from '../../protocol/agent/range-header.ts';
import { HalPage, halPage, linkBase, pageRequest } from './hal-paging.ts';
import { buildListing, listingHtml } from './output-listing.ts';
import {
  jobExecutionJson,
  jobJson,
  jobMetadataJson,
  jobRequestJson,
  jobSearchResultJson,
  resolvedResourceJson,
  toJobRequest,
} from './job-representation.ts';
import { JobIdParams, JobRequestSchema, JobResponse, JobSearchQuery, JobSearchResult, OutputParams, StatusHistoryResponse, StatusResponse, type JobRequestBody } from './job-schemas.ts';
import { RequestBodyError } from '../../http-shared/request-body-error.ts';
import { assertJsonDepth, assertValueDepth } from '../../http-shared/json-depth.ts';
import { AnyJson, NoBody } from '../../http-shared/success-responses.ts';

export interface JobRoutesOptions {
  area: JobsArea;
  /** Base URL for links; absent means the request's own scheme and host. */
  publicUrl?: string;
}

const tags = ['jobs'];

/** Genie's v3 job API under `/api/v3/jobs` (reference/genie.md 2.2). Registered inside the Genie error mapping. */
export async function jobRoutes(fastify: FastifyInstance, options: JobRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { area, publicUrl } = options;
  const { jobs, output } = area;
  const limits = area.config.attachments;
  // preservePath: attachment names arrive as sent, so a name with '/' or '..' is refused, not silently cut.
  await app.register(multipart, { preservePath: true, limits: { fileSize: limits.maxBytes, files: 1000, fields: 10, fieldSize: 1024 * 1024 } });
  const base = (request: FastifyRequest) => linkBase(request, publicUrl);

  app.post(
    '/jobs',
    {
      schema: { response: { 202: NoBody('Accepted; the Location header names the job') },
        tags,
        summary: 'Submit a job (JSON, or multipart with a `request` part and `attachment` parts)',
        body: { content: { 'application/json': { schema: JobRequestSchema }, 'multipart/form-data': { schema: Type.Unknown() } } },
      },
      // Clients send null for absent optional fields; absent and null mean the same to Genie.
      preValidation: async (request) => {
        if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) dropNulls(request.body as Record<string, unknown>);
      },
    },
    async (request, reply) => {
      let body: JobRequestBody;
      let attachments: Attachment[] = [];
      if (request.isMultipart()) {
        // busboy throws a plain Error (a 500) for a multipart type without its boundary.
        if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) {
          throw new RequestBodyError(400, "A multipart/form-data job submission needs a 'boundary' parameter in its Content-Type");
        }
        ({ body, attachments } = await readMultipart(request));
      } else {
        body = jsonSubmission(request);
      }
      checkJobUser(request.principal, body.user);
      const id = await jobs.submit(toJobRequest(body), attachments, submissionContext(request));
      reply.header('location', `${base(request)}/api/v3/jobs/${encodeURIComponent(id)}`);
      return reply.status(202).send();
    },
  );

  app.get('/jobs', { schema: { tags, summary: 'Search jobs', querystring: JobSearchQuery, response: { 200: HalPage('jobSearchResultList', JobSearchResult) } } }, async (request, reply) => {
    const q = request.query;
    const paging = pageRequest(q, { size: 10, sort: [{ field: 'created', direction: 'desc' }] });
    const result = await jobs.search(
      {
        id: q.id,
        name: q.name,
        user: q.user,
        statuses: (q.status ?? []).map((s) => s.toUpperCase() as JobStatus),
        tags: q.tag ?? [],
        clusterName: q.clusterName,
        clusterId: q.clusterId,
        commandName: q.commandName,
        commandId: q.commandId,
        minStarted: q.minStarted,
        maxStarted: q.maxStarted,
        minFinished: q.minFinished,
        maxFinished: q.maxFinished,
        grouping: q.grouping,
        groupingInstance: q.groupingInstance,
      },
      paging,
    );
    const root = base(request);
    const body = halPage(request, root, 'jobSearchResultList', result, paging, (j) => jobSearchResultJson(j, root));
    // halPage builds the links by name; the schema below checks the same shape on the way out.
    return reply.type('application/hal+json').send(body as never);
  });

  app.get('/jobs/:id', { schema: { tags, summary: 'Get a job', params: JobIdParams, response: { 200: JobResponse } } }, async (request, reply) => {
    reply.type('application/hal+json');
    return jobJson(await jobs.get(request.params.id), base(request));
  });

  app.get('/jobs/:id/status', { schema: { tags, summary: "Get a job's status", params: JobIdParams, response: { 200: StatusResponse } } }, async (request) => ({
    status: (await jobs.get(request.params.id)).status,
  }));

  app.get(
    '/jobs/:id/statuses',
    { schema: { tags, summary: "Get a job's status history: each status it entered, with when, oldest first", params: JobIdParams, response: { 200: StatusHistoryResponse } } },
    async (request) =>
      (await jobs.statusHistory(request.params.id)).map((change) => ({ status: change.status, statusMsg: change.message, timestamp: new Date(change.at).toISOString() })),
  );

  const sub = (path: string, summary: string, render: (job: Awaited<ReturnType<typeof jobs.get>>, root: string) => unknown) =>
    app.get(`/jobs/:id/${path}`, { schema: { tags, summary, params: JobIdParams, response: { 200: AnyJson(summary) } } }, async (request, reply) => {
      reply.type('application/hal+json');
      return render(await jobs.get(request.params.id), base(request));
    });
  sub('request', 'Get the request a job was submitted with', jobRequestJson);
  sub('execution', "Get a job's execution facts (host, archive status, exit code)", jobExecutionJson);
  sub('metadata', "Get a job's submission metadata", jobMetadataJson);
  sub('cluster', 'Get the cluster a job was resolved to', (job, root) => resolvedResourceJson(resolved(job).cluster, root, 'cluster'));
  sub('command', 'Get the command a job was resolved to', (job, root) => resolvedResourceJson(resolved(job).command, root, 'command'));
  sub('applications', 'Get the applications a job was resolved to, in setup order', (job, root) =>
    resolved(job).applications.map((a) => resolvedResourceJson(a, root, 'application')),
  );

  app.delete('/jobs/:id', { schema: { tags, summary: 'Kill a job (idempotent)', params: JobIdParams, response: { 202: NoBody('Kill requested (or the job had already finished)') } } }, async (request, reply) => {
    checkJobKill(request.principal, await jobs.get(request.params.id));
    await jobs.kill(request.params.id);
    return reply.status(202).send();
  });

  const serveOutput = async (request: FastifyRequest<{ Params: { id: string; '*'?: string } }>, reply: FastifyReply) => {
    const job = await jobs.get(request.params.id);
    const path = checkOutputPath(request.params['*'] ?? '');
    const source = await output.sourceFor(job);
    const info = await source.describe(path);
    if (!info) throw new NotFoundError(`No file or directory ${JSON.stringify(path)} in the output of job ${job.id}`, { id: job.id, path });
    // A job writes whatever it likes into its directory, and this node serves it from its own origin:
    // an HTML file with a script, opened by an admin, would act as the admin. The sandbox gives every
    // page served from here an origin of its own and no scripts; nosniff stops a browser reading a
    // text file as HTML.
    reply.header('content-security-policy', 'sandbox').header('x-content-type-options', 'nosniff');
    if (info.kind === 'directory') {
      const listing = buildListing(`${base(request)}/api/v3/jobs/${encodeURIComponent(job.id)}/output`, path, info.entries, info.lastModified);
      const accept = request.headers.accept ?? '';
      if (accept.includes('text/html') && !accept.includes('application/json')) return reply.type('text/html;charset=UTF-8').send(listingHtml(job.id, path, listing));
      return reply.type('application/json').send(listing);
    }
    reply.header('accept-ranges', 'bytes').header('last-modified', new Date(info.lastModified).toUTCString()).type(contentTypeOf(path));
    const requested = parseRangeHeader(request.headers.range);
    if (requested) {
      const range = resolveRange(requested, info.size);
      if (!range) {
        return reply.status(416).header('content-range', `bytes */${info.size}`).header('content-length', 0).type('text/plain').send('');
      }
      reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`).header('content-length', range.end - range.start + 1);
      return reply.send(await source.read(path, range));
    }
    reply.header('content-length', info.size);
    if (info.size === 0) return reply.send('');
    return reply.send(await source.read(path));
  };
  const outputSchema = {
    tags,
    summary: "Browse a job's directory: listings (JSON or HTML by Accept) and files (with Range)",
    params: OutputParams,
    response: {
      200: AnyJson("A directory listing (JSON or HTML by Accept), or the file's bytes"),
      206: AnyJson('The requested byte range of the file'),
      416: NoBody('The requested range lies outside the file'),
    },
  };
  app.get('/jobs/:id/output', { schema: outputSchema }, serveOutput);
  app.get('/jobs/:id/output/*', { schema: outputSchema }, serveOutput);

}

function resolved(job: { id: string; specification?: { cluster: unknown; command: unknown; applications: unknown[] } }) {
  if (!job.specification) throw new NotFoundError(`Job ${job.id} has not been resolved to a cluster and command`, { id: job.id });
  return job.specification;
}

function dropNulls(body: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(body)) if (value === null) delete body[key];
}

/**
 * Who submitted a job (reference/genie.md 2.2): the first `X-Forwarded-For` entry (else the peer
 * address) as client host, the `User-Agent`, and every header whose name matches `^GENIE_`, kept
 * under the name as sent (case-insensitively matched: HTTP/2 and some proxies lowercase names);
 * repeated headers are joined with ", " as HTTP allows.
 */
function submissionContext(request: FastifyRequest): SubmissionContext {
  const forwarded = request.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const genieHeaders: Record<string, string> = {};
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!/^genie_/i.test(name)) continue;
    genieHeaders[name] = genieHeaders[name] === undefined ? raw[i + 1]! : `${genieHeaders[name]}, ${raw[i + 1]!}`;
  }
  const agent = request.headers['user-agent'];
  return { clientHost: (first || request.ip).slice(0, 255), userAgent: agent?.slice(0, 1024), genieHeaders };
}

/** The JSON job request of a non-multipart submission; a missing body or another media type is refused. */
function jsonSubmission(request: FastifyRequest): JobRequestBody {
  if (request.body === undefined || request.body === null) {
    throw new RequestBodyError(400, 'A job submission needs a body: the job request as JSON, or multipart/form-data with a request part');
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' || typeof request.body !== 'object' || Array.isArray(request.body)) {
    throw new RequestBodyError(415, `A job submission is an application/json object or multipart/form-data (got ${preview(type)})`);
  }
  return request.body as JobRequestBody;
}

/** Reads a multipart submission: one `request` part (JSON) and any number of `attachment` parts. */
async function readMultipart(request: FastifyRequest): Promise<{ body: JobRequestBody; attachments: Attachment[] }> {
  let raw: string | undefined;
  let parsed: unknown;
  const attachments: Attachment[] = [];
  for await (const part of request.parts()) {
    if (part.fieldname === 'request') {
      // A part sent with a file name arrives as a file; a JSON-typed field arrives already parsed.
      if (part.type === 'file') raw = (await part.toBuffer()).toString('utf8');
      else if (typeof part.value === 'string') raw = part.value;
      else parsed = part.value;
    } else if (part.fieldname === 'attachment' && part.type === 'file') {
      attachments.push({ name: part.filename, data: await part.toBuffer() });
    } else if (part.type === 'file') {
      await part.toBuffer();
    }
  }
  if (raw === undefined && parsed === undefined) throw new InvalidInputError("A multipart job submission needs a 'request' part holding the job request JSON", 'request');
  if (parsed !== undefined) assertValueDepth(parsed);
  let body: unknown = parsed;
  if (raw !== undefined) {
    assertJsonDepth(raw);
    try {
      body = JSON.parse(raw);
    } catch (error) {
      throw new InvalidInputError(`The 'request' part is not valid JSON: ${(error as Error).message}`, 'request');
    }
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) dropNulls(body as Record<string, unknown>);
  const validate = request.compileValidationSchema(JobRequestSchema as unknown as Record<string, unknown>);
  if (!validate(body)) throw formatValidationErrors((validate.errors ?? []) as never, 'body');
  return { body: body as JobRequestBody, attachments };
}
