import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { folderCycles, folderGraph } from './folder-graph.ts';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

// The layering of docs/architecture.md holds only if no two folders of src import each other,
// directly or through others (issue 11: jobs → http → jobs and config → jobs → config were such).
describe('folder-level imports', () => {
  it('form no cycle in src', () => {
    assert.deepEqual(folderCycles(folderGraph(SRC)), []);
  });

  it('are read from static, re-exporting and dynamic imports', () => {
    const edges = folderGraph(SRC);
    // src/cli loads the server lazily (`await import('../http/…')`); src/agent imports the wire contract.
    assert.ok(edges.get('cli')?.has('http'));
    assert.ok(edges.get('agent')?.has('protocol'));
  });

  it('report a cycle through a third folder, naming a file behind each edge', () => {
    const root = mkdtempSync(join(tmpdir(), 'quarry-folder-cycles-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('a/one.ts', "import { two } from '../b/two.ts';\nexport const one = two;\n");
      write('b/two.ts', "export { three as two } from '../c/deep/three.ts';\n");
      write('c/deep/three.ts', "export const three = async () => import('../../a/one.ts');\n");
      write('d/four.ts', "import { one } from '../a/one.ts';\nexport const four = one;\n");
      assert.deepEqual(folderCycles(folderGraph(root)), ['a, b, c import each other: a → b (a/one.ts); b → c (b/two.ts); c → a (c/deep/three.ts)']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
