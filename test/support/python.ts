import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The python of the peer-client virtual environment (scripts/services/python-env.sh). `npm test`
 * prepares it; a missing environment is a test failure with the command that fixes it.
 */
export function peerPython(): string {
  const python = process.env.QUARRY_TEST_PYTHON ?? path.join(ROOT, '.cache/venv/bin/python');
  if (!existsSync(python)) {
    throw new Error(`No Python peer environment at ${python}; run: bash scripts/services/python-env.sh (npm test does this)`);
  }
  return python;
}

export interface PythonResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Python script in the peer environment with the given environment additions. */
export function runPython(script: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<PythonResult> {
  const python = peerPython();
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
