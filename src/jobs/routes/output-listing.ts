import type { FileEntry } from '../../protocol/agent/agent-protocol.ts';

/** Genie's directory listing for `/jobs/{id}/output/{dir}`: JSON for API clients, HTML for people. */
export interface ListingEntry {
  name: string;
  url: string;
  size: number;
  lastModified: string;
}

export interface Listing {
  parent: ListingEntry | null;
  directories: ListingEntry[];
  files: ListingEntry[];
}

export function buildListing(outputUrl: string, path: string, entries: FileEntry[], lastModified: number): Listing {
  const dirUrl = path === '' ? outputUrl : `${outputUrl}/${path.split('/').map(encodeURIComponent).join('/')}`;
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const entry = (e: FileEntry): ListingEntry => ({
    name: e.directory ? `${e.name}/` : e.name,
    url: `${dirUrl}/${encodeURIComponent(e.name)}`,
    size: e.size,
    lastModified: new Date(e.lastModified).toISOString(),
  });
  let parent: ListingEntry | null = null;
  if (path !== '') {
    const up = path.split('/').slice(0, -1);
    parent = {
      name: up.length ? `${up[up.length - 1]}/` : '../',
      url: up.length ? `${outputUrl}/${up.map(encodeURIComponent).join('/')}` : outputUrl,
      size: 0,
      lastModified: new Date(lastModified).toISOString(),
    };
  }
  return { parent, directories: sorted.filter((e) => e.directory).map(entry), files: sorted.filter((e) => !e.directory).map(entry) };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function listingHtml(jobId: string, path: string, listing: Listing): string {
  const row = (e: ListingEntry, size: boolean) =>
    `<tr><td><a href="${escape(e.url)}">${escape(e.name)}</a></td><td>${size ? e.size : ''}</td><td>${escape(e.lastModified)}</td></tr>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Job ${escape(jobId)}: /${escape(path)}</title></head>
<body><h1>Job ${escape(jobId)}: /${escape(path)}</h1>
<table><thead><tr><th>Name</th><th>Size</th><th>Last modified</th></tr></thead><tbody>
${listing.parent ? row({ ...listing.parent, name: '../' }, false) : ''}
${listing.directories.map((d) => row(d, false)).join('\n')}
${listing.files.map((f) => row(f, true)).join('\n')}
</tbody></table></body></html>
`;
}
