/**
 * Paging for registry and job searches, independent of transport: the HTTP layer turns Genie's
 * `page`, `size` and `sort` parameters into a PageRequest and a Page into HAL.
 */

export interface SortOrder {
  /** A field name of the searched resource as the API names it (`updated`, `name`, …). */
  field: string;
  direction: 'asc' | 'desc';
}

export interface PageRequest {
  /** 0-based page number. */
  page: number;
  size: number;
  /** Sort keys in order of precedence; the store adds the id as a final tie-breaker. */
  sort: SortOrder[];
}

export interface Page<T> {
  items: T[];
  /** Items matching the search across all pages. */
  total: number;
  page: number;
  size: number;
}

export function totalPages(page: Pick<Page<unknown>, 'total' | 'size'>): number {
  return page.size > 0 ? Math.ceil(page.total / page.size) : 0;
}
