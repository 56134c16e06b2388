import { PreconditionError } from '../../errors/precondition-error.ts';

/**
 * Checks a user-supplied path inside a job directory and returns it normalized ('' for the root,
 * no leading or trailing slash). `.`/`..` segments, backslashes and control characters are refused,
 * so no request can name a file outside the job directory.
 */
export function checkOutputPath(raw: string): string {
  const trimmed = raw.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(trimmed)) throw new PreconditionError(`Output path ${JSON.stringify(raw)} contains a backslash or control character`, { field: 'path' });
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new PreconditionError(`Output path ${JSON.stringify(raw)} must stay inside the job directory (no '.', '..' or empty segments)`, { field: 'path' });
    }
  }
  return trimmed;
}
