import { InvalidInputError } from '../../../errors/invalid-input-error.ts';

/** Consistency levels a snapshot may read at (lower case in the URL). */
export const READ_CONSISTENCIES = ['one', 'two', 'three', 'local_one', 'local_quorum', 'quorum', 'each_quorum', 'all'] as const;
export type ReadConsistency = (typeof READ_CONSISTENCIES)[number];

/** Where a Cassandra catalog lives and how a snapshot may load it. */
export interface CassandraSettings {
  /** host:port of each contact point. */
  readonly contactPoints: readonly string[];
  /** The data center whose nodes serve reads (the driver sends requests there only). */
  readonly localDataCenter: string;
  readonly username?: string;
  readonly password?: string;
  /** Consistency of snapshot reads (default local_quorum). */
  readonly consistency: ReadConsistency;
  /** Token ranges a snapshot reads at once (default 2): the bound on its load on the cluster. */
  readonly concurrency: number;
}

/**
 * Parses `cassandra://[user:password@]host[:port][,host[:port]…]/[?dc=NAME&consistency=LEVEL&concurrency=N]`.
 * The port defaults to 9042, `dc` to `datacenter1` (the name a SimpleSnitch node reports).
 * Throws InvalidInputError naming the part that is wrong.
 */
export function parseCassandraUrl(url: string): CassandraSettings {
  const match = /^cassandra:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?(?:\?([^#]*))?$/.exec(url.trim());
  if (!match) throw new InvalidInputError(`Cassandra URL ${JSON.stringify(redact(url))} must look like cassandra://host:9042/?dc=datacenter1`, 'url');
  const [, user, password, hosts, query] = match;
  const contactPoints = hosts!.split(',').map((host) => {
    const hostPort = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(host.trim());
    if (!hostPort) throw new InvalidInputError(`Cassandra contact point ${JSON.stringify(host)} must be host or host:port`, 'url');
    return `${hostPort[1]}:${hostPort[2] ?? '9042'}`;
  });
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys()) {
    if (!['dc', 'consistency', 'concurrency'].includes(key)) throw new InvalidInputError(`Cassandra URL setting ${JSON.stringify(key)} is unknown (settings: dc, consistency, concurrency)`, 'url');
  }
  const consistency = (params.get('consistency') ?? 'local_quorum').toLowerCase();
  if (!(READ_CONSISTENCIES as readonly string[]).includes(consistency)) {
    throw new InvalidInputError(`Cassandra consistency ${JSON.stringify(consistency)} is not a read consistency level (${READ_CONSISTENCIES.join(', ')})`, 'url');
  }
  const concurrencyText = params.get('concurrency') ?? '2';
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new InvalidInputError(`Cassandra concurrency ${JSON.stringify(concurrencyText)} must be an integer from 1 to 64`, 'url');
  }
  return {
    contactPoints,
    localDataCenter: params.get('dc') ?? 'datacenter1',
    ...(user ? { username: decodeURIComponent(user), password: decodeURIComponent(password ?? '') } : {}),
    consistency: consistency as ReadConsistency,
    concurrency,
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/^(cassandra:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
