import type { CatalogConfig } from '../config/config.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { Connector } from './connector.ts';

/** A configured catalog and the connector serving it. */
export interface RegisteredCatalog {
  readonly name: string;
  readonly config: CatalogConfig;
  readonly connector: Connector;
}

/** The catalogs this server serves, by name, in configuration order. */
export class CatalogRegistry {
  private readonly byName: ReadonlyMap<string, RegisteredCatalog>;

  constructor(catalogs: readonly RegisteredCatalog[]) {
    this.byName = new Map(catalogs.map((catalog) => [catalog.name, catalog]));
  }

  list(): RegisteredCatalog[] {
    return [...this.byName.values()];
  }

  find(name: string): RegisteredCatalog | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The catalog, or a NotFoundError (404) naming the catalogs that exist. */
  get(name: string): RegisteredCatalog {
    const catalog = this.find(name);
    if (!catalog) {
      throw new NotFoundError(`Catalog ${JSON.stringify(name)} does not exist; the catalogs are ${[...this.byName.keys()].join(', ')}`);
    }
    return catalog;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.byName.values()].map((catalog) => catalog.connector.close()));
  }
}
