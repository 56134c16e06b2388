import cassandra from 'cassandra-driver';
import { UnavailableError } from '../../../errors/unavailable-error.ts';
import type { CassandraSettings } from './cassandra-url.ts';

/**
 * One driver client per catalog (or per snapshot read), connected on first use. Longs and varints
 * come back as native bigints, so no value passes through a JavaScript number. A cluster that does
 * not answer is an UnavailableError naming the contact points, on one line (the driver's own
 * message lists every host and its error).
 */
export class CassandraSession {
  private client?: cassandra.Client;
  private connecting?: Promise<cassandra.Client>;

  constructor(
    private readonly settings: CassandraSettings,
    /** Names the catalog in messages. */
    private readonly label: string,
  ) {}

  async connected(): Promise<cassandra.Client> {
    if (this.client) return this.client;
    this.connecting ??= this.connect();
    return this.connecting;
  }

  async execute(query: string, params: unknown[] = [], options: cassandra.QueryOptions = {}): Promise<cassandra.types.ResultSet> {
    const client = await this.connected();
    return client.execute(query, params, { prepare: params.length > 0, ...options });
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.connecting = undefined;
    await client?.shutdown().catch(() => undefined);
  }

  private async connect(): Promise<cassandra.Client> {
    const client = new cassandra.Client({
      contactPoints: [...this.settings.contactPoints],
      localDataCenter: this.settings.localDataCenter,
      ...(this.settings.username !== undefined ? { credentials: { username: this.settings.username, password: this.settings.password ?? '' } } : {}),
      encoding: { useBigIntAsLong: true, useBigIntAsVarint: true },
      socketOptions: { connectTimeout: 5000, readTimeout: 60_000 },
      // Reads only: no schema events needed beyond what the metadata queries fetch themselves.
      isMetadataSyncEnabled: false,
    });
    try {
      await client.connect();
    } catch (error) {
      this.connecting = undefined;
      await client.shutdown().catch(() => undefined);
      throw new UnavailableError(`Cannot reach Cassandra catalog ${this.label} at ${this.settings.contactPoints.join(', ')} (data center ${this.settings.localDataCenter}): ${oneLine(error)}`, {
        catalog: this.label,
      });
    }
    this.client = client;
    return client;
  }
}

/** The first line of an error's message, without the driver's per-host detail. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const inner = (error as { innerErrors?: Record<string, unknown> } | undefined)?.innerErrors;
  const first = inner && Object.values(inner)[0];
  const detail = first instanceof Error ? `: ${first.message}` : '';
  return `${message.split('\n')[0]!.replace(/\.? ?-? ?First host tried.*$/, '')}${detail}`.replace(/\s+/g, ' ').trim();
}
