import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Which top-level folders of a source root import which, with one importing file per edge as evidence. */
export type FolderGraph = Map<string, Map<string, string>>;

// Static imports and re-exports (`from '…'`), side-effect imports and dynamic `import('…')`.
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

/** The folder graph of `root`: an edge a → b when a file under root/a imports one under root/b. */
export function folderGraph(root: string): FolderGraph {
  const top = (file: string) => relative(root, file).split(sep)[0];
  const graph: FolderGraph = new Map();
  for (const file of sourceFiles(root)) {
    const from = top(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = resolve(dirname(file), specifier);
      const to = top(target);
      if (to === from || to.startsWith('..')) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(root, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

/**
 * The import cycles between folders: each strongly connected component of more than one folder
 * (Tarjan's algorithm), as a sentence naming the folders and a file behind each edge inside it.
 */
export function folderCycles(graph: FolderGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (folder: string) => {
    index.set(folder, index.size);
    low.set(folder, index.get(folder)!);
    stack.push(folder);
    onStack.add(folder);
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(folder, Math.min(low.get(folder)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(folder, Math.min(low.get(folder)!, index.get(next)!));
      }
    }
    if (low.get(folder) === index.get(folder)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== folder);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const folder of [...graph.keys()].sort()) if (!index.has(folder)) visit(folder);
  return components.map((component) => {
    const inside = new Set(component);
    const evidence = component.flatMap((from) =>
      [...(graph.get(from) ?? [])].filter(([to]) => inside.has(to)).map(([to, file]) => `${from} → ${to} (${file})`),
    );
    return `${component.join(', ')} import each other: ${evidence.join('; ')}`;
  });
}
