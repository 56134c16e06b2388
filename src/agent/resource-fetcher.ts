import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import type { S3Config } from '../config/config.ts';
import { openObjectStore } from '../storage/open-object-store.ts';

/** What identifies one version of a resource: its last-modified time, and an etag where the source has one. */
export interface ResourceVersion {
  lastModified: number;
  etag?: string;
}

/**
 * Reads job resources (setup files, configs, dependencies) from `file://`, `http(s)://` and `s3://`
 * URIs: `version` asks only for the validator (stat, HEAD, S3 HEAD), `download` copies the bytes.
 */
export class ResourceFetcher {
  constructor(private readonly s3: S3Config) {}

  /** The resource's current version, or undefined when the source gives no validator (never cached). */
  async version(uri: string): Promise<ResourceVersion | undefined> {
    const url = new URL(uri);
    switch (url.protocol) {
      case 'file:': {
        const info = await stat(fileURLToPath(url));
        if (!info.isFile()) throw new Error(`${uri} is not a file`);
        return { lastModified: Math.floor(info.mtimeMs), etag: `${info.size}-${info.ino}` };
      }
      case 'http:':
      case 'https:': {
        const response = await fetch(uri, { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
        if (!response.ok) throw new Error(`HEAD ${uri} answered ${response.status}`);
        const modified = response.headers.get('last-modified');
        const etag = response.headers.get('etag') ?? undefined;
        if (!modified && !etag) return undefined;
        return { lastModified: modified ? Date.parse(modified) : 0, etag };
      }
      case 's3:': {
        const { store, key } = this.s3Object(url);
        const info = await store.head(key);
        if (!info) throw new Error(`No object at ${uri}`);
        return { lastModified: info.lastModified.getTime(), etag: info.etag };
      }
      default:
        throw new Error(`Unsupported resource URI ${uri}: use file://, http(s):// or s3://`);
    }
  }

  async download(uri: string, target: string): Promise<void> {
    const url = new URL(uri);
    let source: Readable;
    switch (url.protocol) {
      case 'file:':
        source = createReadStream(fileURLToPath(url));
        break;
      case 'http:':
      case 'https:': {
        const response = await fetch(uri, { signal: AbortSignal.timeout(600_000) });
        if (!response.ok || !response.body) throw new Error(`GET ${uri} answered ${response.status}`);
        source = Readable.fromWeb(response.body as WebReadableStream);
        break;
      }
      case 's3:': {
        const { store, key } = this.s3Object(url);
        source = (await store.get(key)).body;
        break;
      }
      default:
        throw new Error(`Unsupported resource URI ${uri}: use file://, http(s):// or s3://`);
    }
    await pipeline(source, createWriteStream(target, { flags: 'wx' }));
  }

  private s3Object(url: URL) {
    return { store: openObjectStore(`s3://${url.host}`, this.s3), key: decodeURIComponent(url.pathname.replace(/^\/+/, '')) };
  }
}

/** The file name a resource gets in the job directory: the last segment of its URI path. */
export function fileNameOf(uri: string): string {
  const name = decodeURIComponent(new URL(uri).pathname.split('/').pop() ?? '');
  if (!name || name === '.' || name === '..' || name.includes('\\')) throw new Error(`${uri} does not end in a file name`);
  return name;
}
