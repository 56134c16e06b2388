import type { AreaPlugin } from '../http-shared/area-plugin.ts';
import { errorHandler } from '../http-shared/error-reply.ts';
import type { CatalogArea } from './catalog-area.ts';
import { registerCatalogRoutes } from './routes/catalog-routes.ts';
import { registerEventRoutes } from './routes/event-routes.ts';
import { registerMetadataRoutes } from './routes/metadata-routes.ts';
import { registerPartitionRoutes } from './routes/partition-routes.ts';
import { registerTagRoutes } from './routes/tag-routes.ts';
import { declareErrorResponses } from '../http-shared/error-responses.ts';

/**
 * The Metacat-compatible catalog API, registered under /mds/v1. Status codes are Metacat's (reference/metacat.md
 * §2 "Errors"): 400 bad input, 404 missing, 409 exists, 412 precondition, 403 ACL, 429 blocked by a
 * migration tag or overloaded, 501 not supported by the connector. Bodies are Quarry's JSON errors
 * (`{errorCode, message, requestId}`) rather than Metacat's plain text, like every Quarry API.
 */
export const catalogPlugin: AreaPlugin<CatalogArea> = async (scope, { area }) => {
  scope.setErrorHandler(errorHandler({ unavailable: 429 }));
  declareErrorResponses(scope, { extraStatuses: () => [403, 404, 409, 412, 429, 501] });
  registerCatalogRoutes(scope, area);
  registerPartitionRoutes(scope, area);
  registerTagRoutes(scope, area);
  registerMetadataRoutes(scope, area);
  registerEventRoutes(scope, area);
};
