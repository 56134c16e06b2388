import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { TableIdentifier } from '../table/table-pointer-store.ts';

/** The separator of multi-level namespaces in a URL path segment or `parent` parameter (spec: 0x1F). */
export const NAMESPACE_SEPARATOR = '\u001f';

const MAX_NAME_LENGTH = 255;
// Dots join namespace levels in the pointer table (PyIceberg's SqlCatalog layout), slashes would nest
// folders under the table location, and control characters include the namespace separator itself.
// eslint-disable-next-line no-control-regex
const ILLEGAL = /[./\\\u0000-\u001f\u007f]/;

function describeIllegal(name: string): string | undefined {
  if (name.trim() === '') return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  const bad = ILLEGAL.exec(name);
  if (bad) return `contains ${bad[0] === '.' ? 'a dot' : bad[0] === '/' || bad[0] === '\\' ? 'a slash' : `the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`}`;
  return undefined;
}

const RULE = 'names are 1 to 255 characters without dots, slashes or control characters';

/** Checks every level of a namespace; the error names the level that is wrong. */
export function checkNamespace(levels: readonly string[], field = 'namespace'): string[] {
  if (levels.length === 0) throw new InvalidInputError(`The ${field} is empty; give at least one level`, field);
  levels.forEach((level, i) => {
    const problem = describeIllegal(level);
    if (problem) {
      const which = levels.length > 1 ? ` level ${i + 1}` : '';
      throw new InvalidInputError(`Invalid ${field}${which} ${JSON.stringify(level)}: it ${problem}; ${RULE}`, field, { part: level });
    }
  });
  return [...levels];
}

export function checkTableName(name: string, field = 'table name'): string {
  const problem = describeIllegal(name);
  if (problem) throw new InvalidInputError(`Invalid ${field} ${JSON.stringify(name)}: it ${problem}; ${RULE}`, field, { part: name });
  return name;
}

/** Checks a table identifier; `field` names where it came from in a request body (`source`), if anywhere. */
export function checkIdentifier(id: TableIdentifier, field?: string): TableIdentifier {
  return {
    namespace: checkNamespace(id.namespace, field ? `${field}.namespace` : 'namespace'),
    name: checkTableName(id.name, field ? `${field}.name` : 'table name'),
  };
}

/** A namespace as the REST API writes it in a path or query parameter: levels joined by 0x1F. */
export function decodeNamespace(text: string, field = 'namespace'): string[] {
  return checkNamespace(text.split(NAMESPACE_SEPARATOR), field);
}

export function namespaceName(levels: readonly string[]): string {
  return levels.join('.');
}
