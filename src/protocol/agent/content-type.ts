const BY_EXTENSION: Record<string, string> = {
  json: 'application/json',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  csv: 'text/csv',
  gz: 'application/gzip',
  zip: 'application/zip',
  jar: 'application/java-archive',
  tar: 'application/x-tar',
  parquet: 'application/octet-stream',
  png: 'image/png',
  jpg: 'image/jpeg',
  pdf: 'application/pdf',
  bin: 'application/octet-stream',
  so: 'application/octet-stream',
};

/** Content type of a job file by name; text unless the extension says otherwise (stdout, run, *.log, *.sh). */
export function contentTypeOf(name: string): string {
  const base = name.split('/').pop() ?? name;
  const dot = base.lastIndexOf('.');
  const type = dot > 0 ? BY_EXTENSION[base.slice(dot + 1).toLowerCase()] : undefined;
  const resolved = type ?? 'text/plain';
  return resolved.startsWith('text/') || resolved === 'application/json' || resolved === 'application/xml' ? `${resolved};charset=UTF-8` : resolved;
}
