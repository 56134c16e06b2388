import { ConfigError } from '../config/config-error.ts';
import type { CatalogConfig, CatalogSettings, QuarryConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { AccessPolicy } from './access-policy.ts';
import { CatalogMutations } from './catalog-mutation.ts';
import { CatalogRegistry } from './catalog-registry.ts';
import { CatalogService } from './catalog-service.ts';
import { createConnector, type ConnectorDependencies } from './connectors/create-connector.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { allowedLocationsOf } from '../warehouse/allowed-locations.ts';
import { FileIO } from '../table/file-io.ts';
import type { PointerChangeRecorder } from '../warehouse/pointer-change.ts';
import { CATALOG_EVENT_TYPES, type CatalogEvent, type CatalogEventType } from './events/catalog-event.ts';
import { EventFeed } from './events/event-feed.ts';
import { CatalogEventLog } from './events/event-log.ts';
import { WarehouseEventRecorder } from './events/warehouse-event-recorder.ts';
import { WebhookDispatcher, webhookWants, type WebhookTarget } from './events/webhook-dispatcher.ts';
import { DataMetadataStore } from './metadata/data-metadata-store.ts';
import { DefinitionMetadataStore } from './metadata/definition-metadata-store.ts';
import { TagStore } from './metadata/tag-store.ts';
import { MetadataService } from './metadata-service.ts';
import { PartitionService } from './partition-service.ts';
import { TagService } from './tag-service.ts';
import { UserMetadata } from './user-metadata.ts';

/** Everything the catalog's HTTP routes call. */
export interface CatalogArea {
  readonly registry: CatalogRegistry;
  readonly catalogs: CatalogService;
  readonly partitions: PartitionService;
  readonly tags: TagService;
  readonly metadata: MetadataService;
  readonly events: EventFeed;
  readonly eventLog: CatalogEventLog;
  readonly settings: CatalogSettings;
  /**
   * Records the warehouse's pointer changes as events of the `warehouse` catalog, through this
   * area's event log (so this node's streams wake at once). `user` names the writer in the events.
   */
  warehouseRecorder(user: string): PointerChangeRecorder;
  close(): Promise<void>;
}

/** The Metacat catalog that shows the warehouse's Iceberg tables and announces their changes. */
export const WAREHOUSE_CATALOG = 'warehouse';

export interface CatalogAreaOptions {
  /** The warehouse's Iceberg tables (pointer store and metadata files), shown in the catalog they name. */
  readonly iceberg?: ConnectorDependencies['iceberg'];
}

/** The catalog named `warehouse` always exists; configuration may add others or configure it. */
export function configuredCatalogs(config: Pick<QuarryConfig, 'catalogs'>): CatalogConfig[] {
  const catalogs = config.catalogs ?? [];
  return catalogs.some((c) => c.name === 'warehouse') ? catalogs : [{ name: 'warehouse', connector: 'warehouse' }, ...catalogs];
}

/** Builds the catalog service from configuration and starts its webhook dispatcher. */
export function openCatalogArea(config: QuarryConfig, database: Database, options: CatalogAreaOptions = {}): CatalogArea {
  const settings = config.catalog ?? {};
  const catalogConfigs = configuredCatalogs(config);
  const registry = new CatalogRegistry(
    catalogConfigs.map((catalog) => ({ name: catalog.name, config: catalog, connector: createConnector(catalog, { database, iceberg: options.iceberg }) })),
  );
  const targets = webhookTargets(catalogConfigs);
  const eventLog = new CatalogEventLog(database.db);
  const mutations = new CatalogMutations(database, eventLog, webhooksFor(targets));
  const metadata = new UserMetadata(new DefinitionMetadataStore(database.db), new DataMetadataStore(database.db), new TagStore(database.db));
  const policy = new AccessPolicy(settings);
  const pollMs = settings.eventPollMs ?? 1000;
  const dispatcher = new WebhookDispatcher(database.db, eventLog, targets, {
    maxAttempts: settings.webhookMaxAttempts ?? 20,
    initialDelayMs: settings.webhookRetryDelayMs ?? 1000,
    maxDelayMs: settings.webhookMaxRetryDelayMs ?? 300_000,
    claimMs: 60_000,
    pollMs,
    requestTimeoutMs: 10_000,
  });
  dispatcher.start();
  const retentionMs = (settings.eventRetentionHours ?? 168) * 3_600_000;
  const pruner = setInterval(() => void eventLog.prune(Date.now() - retentionMs).catch(() => undefined), 3_600_000);
  pruner.unref();

  return {
    registry,
    catalogs: new CatalogService(registry, mutations, policy, metadata, settings),
    partitions: new PartitionService(registry, mutations, metadata, settings),
    tags: new TagService(registry, mutations, metadata),
    metadata: new MetadataService(registry, mutations, metadata),
    events: new EventFeed(eventLog, pollMs),
    eventLog,
    settings,
    warehouseRecorder: (user) => newWarehouseRecorder(config, eventLog, targets, user),
    async close() {
      clearInterval(pruner);
      await dispatcher.stop();
      await registry.close();
    },
  };
}

/**
 * The warehouse's event recorder for a process that does not serve the catalog (`quarry table`):
 * its events reach the webhooks and every server's streams through the shared database.
 */
export function warehouseEventRecorder(config: QuarryConfig, database: Database, user: string): PointerChangeRecorder {
  return newWarehouseRecorder(config, new CatalogEventLog(database.db), webhookTargets(configuredCatalogs(config)), user);
}

function newWarehouseRecorder(config: QuarryConfig, log: CatalogEventLog, targets: Map<string, WebhookTarget>, user: string): PointerChangeRecorder {
  // Reads the metadata files of the warehouse's own tables only, so the same rule guards it.
  const io = new FileIO((root) => openObjectStore(root, config.s3), undefined, allowedLocationsOf(config.warehouse, config.warehouseAllowedLocations));
  return new WarehouseEventRecorder({ catalog: WAREHOUSE_CATALOG, log, webhooksFor: webhooksFor(targets), io, user });
}

function webhooksFor(targets: Map<string, WebhookTarget>): (event: CatalogEvent) => string[] {
  return (event) => [...targets.values()].filter((target) => webhookWants(target, event)).map((target) => target.id);
}

function webhookTargets(catalogs: readonly CatalogConfig[]): Map<string, WebhookTarget> {
  const targets = new Map<string, WebhookTarget>();
  for (const catalog of catalogs) {
    for (const [i, webhook] of (catalog.webhooks ?? []).entries()) {
      const unknown = webhook.events?.find((type) => !(CATALOG_EVENT_TYPES as readonly string[]).includes(type));
      if (unknown !== undefined) {
        throw new ConfigError(`catalogs.${catalog.name}.webhooks.${i}.events`, `names ${JSON.stringify(unknown)}, which is not an event type (${CATALOG_EVENT_TYPES.join(', ')})`);
      }
      const id = webhook.name ?? `${catalog.name}:${webhook.url}`;
      targets.set(id, {
        id,
        url: webhook.url,
        headers: webhook.headers ?? {},
        catalog: catalog.name,
        types: webhook.events ? new Set(webhook.events as CatalogEventType[]) : undefined,
        namePrefix: webhook.namePrefix,
      });
    }
  }
  return targets;
}
