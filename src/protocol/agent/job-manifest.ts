import type { FileEntry, PathInfo } from './agent-protocol.ts';

/** `genie/manifest.json` in an archive: every archived file and folder, by path relative to the job directory. */
export interface JobManifest {
  jobId: string;
  created: number;
  /** Present when the job directory held more entries than the files limit: the walk stopped there. */
  truncated?: boolean;
  entries: ManifestEntry[];
}

export interface ManifestEntry {
  /** `/`-separated, relative, no leading slash; never '' (the root is implied). */
  path: string;
  directory: boolean;
  size: number;
  lastModified: number;
  md5?: string;
  mimeType?: string;
}

export const MANIFEST_PATH = 'genie/manifest.json';

/** What the manifest says about a path: a file, a directory with its direct children, or nothing. */
export function describeFromManifest(manifest: JobManifest, path: string): PathInfo | undefined {
  if (path !== '') {
    const entry = manifest.entries.find((e) => e.path === path);
    if (!entry) return undefined;
    if (!entry.directory) return { kind: 'file', size: entry.size, lastModified: entry.lastModified };
  }
  const prefix = path === '' ? '' : `${path}/`;
  const entries: FileEntry[] = manifest.entries
    .filter((e) => e.path.startsWith(prefix) && !e.path.slice(prefix.length).includes('/'))
    .map((e) => ({ name: e.path.slice(prefix.length), directory: e.directory, size: e.size, lastModified: e.lastModified }));
  const self = manifest.entries.find((e) => e.path === path);
  return { kind: 'directory', lastModified: self?.lastModified ?? manifest.created, entries };
}
