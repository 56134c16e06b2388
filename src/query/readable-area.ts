import path from 'node:path';

/** What one query's DuckDB may read: single files, and folders whose every file it may read. */
export interface ReadableArea {
  paths: string[];
  directories: string[];
}

/**
 * The files a query planned, as DuckDB's allow-lists: a file inside one of `tableFolders` is covered
 * by that folder, any other file is listed by itself. Only folders of tables stored inside the
 * warehouse's own folder (`warehouseFolder`) count, so no query reaches a file outside the warehouse
 * through a table whose location was set elsewhere; such a table's files are listed one by one.
 * A table's folder holds only what the table may show anyway (its data and metadata files, which
 * time travel reads too), and a list of a thousand files costs DuckDB a check of each on every open.
 */
export function readableArea(files: Iterable<string>, tableFolders: Iterable<string>, warehouseFolder: string | undefined): ReadableArea {
  const root = warehouseFolder === undefined ? undefined : withSeparator(path.resolve(warehouseFolder));
  const folders = root === undefined ? [] : [...new Set([...tableFolders].map((f) => withSeparator(path.resolve(f))))].filter((f) => f.startsWith(root) && f !== root);
  const used = new Set<string>();
  const paths: string[] = [];
  for (const file of new Set(files)) {
    const resolved = path.resolve(file);
    const folder = folders.find((f) => resolved.startsWith(f));
    if (folder === undefined || resolved !== file) paths.push(file);
    else used.add(folder);
  }
  return { paths, directories: [...used] };
}

function withSeparator(folder: string): string {
  return folder.endsWith(path.sep) ? folder : folder + path.sep;
}
