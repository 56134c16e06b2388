import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../config/config-error.ts';
import type { Cluster } from '../resources.ts';
import type { ClusterSelection, ClusterSelectionContext, ClusterSelector } from './cluster-selector.ts';

const SETTING = 'jobs.resolution.selectorModule';

type SelectFunction = (context: ClusterSelectionContext) => unknown;

/**
 * Loads an admin's cluster selector from a JavaScript or TypeScript module whose default export is
 * a ClusterSelector (an object with `select(context)`) or a bare select function. The answer may be
 * a ClusterSelection, a cluster, a cluster id, or nothing (no preference); a cluster that is not a
 * candidate counts as no preference, as in Genie. Fails at start-up, naming the setting, when the
 * module cannot be loaded or exports no selector.
 */
export async function loadModuleClusterSelector(file: string): Promise<ClusterSelector> {
  const absolute = path.resolve(file);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(absolute).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new ConfigError(SETTING, `names ${absolute}, which cannot be loaded: ${(error as Error).message.split('\n')[0]}`);
  }
  const target = exported as { select?: unknown; name?: unknown } | undefined;
  let select: SelectFunction | undefined;
  if (typeof exported === 'function') select = exported as SelectFunction;
  else if (target && typeof target.select === 'function') select = (context) => (target.select as SelectFunction).call(target, context);
  if (!select) {
    throw new ConfigError(SETTING, `names ${absolute}, whose default export is neither a function nor an object with a select(context) method`);
  }
  const given = typeof target?.name === 'string' && target.name !== 'default' ? target.name : '';
  const name = `module:${given || path.basename(absolute)}`;
  const chosen = select;
  return {
    name,
    async select(context) {
      return toSelection(await chosen(context), context.clusters);
    },
  };
}

function toSelection(answer: unknown, candidates: readonly Cluster[]): ClusterSelection {
  if (answer === undefined || answer === null) return { rationale: 'no preference' };
  const byId = (id: unknown) => candidates.find((c) => c.id === id);
  if (typeof answer === 'string') return pick(byId(answer), answer);
  const record = answer as { cluster?: { id?: unknown } | string; id?: unknown; rationale?: unknown };
  const rationale = typeof record.rationale === 'string' ? record.rationale : undefined;
  if (record.cluster !== undefined && record.cluster !== null) {
    const id = typeof record.cluster === 'string' ? record.cluster : record.cluster.id;
    return { ...pick(byId(id), String(id)), ...(rationale ? { rationale } : {}) };
  }
  if (record.id !== undefined) return pick(byId(record.id), String(record.id));
  return { rationale: rationale ?? 'no preference' };
}

function pick(cluster: Cluster | undefined, id: string): ClusterSelection {
  return cluster ? { cluster } : { rationale: `chose ${id}, which is not a candidate; treated as no preference` };
}
