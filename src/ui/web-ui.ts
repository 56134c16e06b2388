import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm ci` (the `prepare` script) and `npm run build:web` put the built single-page app. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** URL prefixes that belong to APIs: an unknown path below them is an API 404, never the app's page. */
export const API_PREFIXES = ['/api/', '/mds/', '/iceberg/', '/docs', '/openapi.json', '/health', '/metrics'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface WebFile {
  /** Absolute path on disk. */
  path: string;
  contentType: string;
  /** Vite names files under assets/ by their content hash, so they can be cached forever. */
  immutable: boolean;
}

/**
 * The web UI's files, indexed once when the server starts: only files that exist in the build are
 * ever served (a request path is looked up, never joined onto the disk path), so no URL can reach
 * outside the build folder. `available` is false when the app was not built; the server then says so.
 */
export class WebUi {
  readonly root: string;
  private readonly files = new Map<string, WebFile>();

  constructor(root: string = DEFAULT_WEB_ROOT) {
    this.root = root;
    if (existsSync(join(root, 'index.html'))) this.index(root);
  }

  get available(): boolean {
    return this.files.has('/index.html');
  }

  /** The built file for a URL path such as /assets/index-abc.js, or undefined. */
  file(urlPath: string): WebFile | undefined {
    return this.files.get(urlPath);
  }

  /** URL paths of every built file (/index.html, /assets/…). */
  paths(): string[] {
    return [...this.files.keys()];
  }

  /** Whether a path is a page of the app (served index.html) rather than an API address. */
  isAppPath(urlPath: string): boolean {
    return !API_PREFIXES.some((prefix) => urlPath === prefix.replace(/\/$/, '') || urlPath.startsWith(prefix));
  }

  private index(dir: string): void {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        this.index(path);
        continue;
      }
      const url = `/${relative(this.root, path).split(sep).join('/')}`;
      this.files.set(url, {
        path,
        contentType: TYPES[extname(name)] ?? 'application/octet-stream',
        immutable: url.startsWith('/assets/'),
      });
    }
  }
}
