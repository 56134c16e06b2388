import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { totalPages, type Page, type PageRequest, type SortOrder } from '../paging.ts';
import { Link } from './genie-schemas.ts';
import { QueryInteger } from '../../http-shared/query-integer.ts';

/**
 * Spring-style paging as Genie's searches answer it: `page` (0-based), `size`, repeatable
 * `sort=field,asc|desc`, and a HAL body with `_embedded.<listKey>`, `_links` (first, prev, self,
 * next, last; first and last only when there is more than one page) and the `page` object. Links
 * keep the request's other query parameters, percent-encoded exactly once.
 */

/** Spring Data's largest page; bigger requests are served this many items, as Spring does. */
export const MAX_PAGE_SIZE = 2000;

export const PageQueryFields = {
  page: Type.Optional(QueryInteger({ description: '0-based page number' })),
  size: Type.Optional(QueryInteger({ minimum: 1, description: `Items per page (at most ${MAX_PAGE_SIZE})` })),
  sort: Type.Optional(Type.Array(Type.String(), { description: 'field[,field…][,asc|desc]; repeatable' })),
};

export interface PageQuery {
  page?: number;
  size?: number;
  sort?: string[];
}

export function pageRequest(query: PageQuery, defaults: { size: number; sort: SortOrder[] }): PageRequest {
  const sort: SortOrder[] = [];
  for (const raw of query.sort ?? []) {
    const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const last = parts.at(-1)?.toLowerCase();
    const direction = last === 'asc' || last === 'desc' ? last : 'asc';
    if (last === 'asc' || last === 'desc') parts.pop();
    if (parts.length === 0) throw new InvalidInputError(`The query parameter 'sort' names no field (got ${JSON.stringify(raw)})`, 'sort');
    for (const field of parts) sort.push({ field, direction });
  }
  return {
    page: query.page ?? 0,
    size: Math.min(query.size ?? defaults.size, MAX_PAGE_SIZE),
    sort: sort.length > 0 ? sort : defaults.sort,
  };
}

/** The HAL page schema for a list of items under `_embedded.<listKey>`. */
export function HalPage(listKey: string, item: TSchema) {
  return Type.Object({
    _embedded: Type.Optional(Type.Object({ [listKey]: Type.Array(item) })),
    _links: Type.Object({
      first: Type.Optional(Link),
      prev: Type.Optional(Link),
      self: Link,
      next: Type.Optional(Link),
      last: Type.Optional(Link),
    }),
    page: Type.Object({
      size: Type.Integer(),
      totalElements: Type.Integer(),
      totalPages: Type.Integer(),
      number: Type.Integer(),
    }),
  });
}

// Spring writes `sort=updated,desc` with a bare comma; anything else is percent-encoded.
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replaceAll('%2C', ',');
}

/**
 * The absolute origin links are built on: the configured public URL, else what the request says
 * (its scheme and Host header).
 */
export function linkBase(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Builds the HAL body of a page; `toItem` renders each item (with its own `_links`). */
export function halPage<T>(
  request: FastifyRequest,
  base: string,
  listKey: string,
  result: Page<T>,
  request_: PageRequest,
  toItem: (item: T) => unknown,
) {
  const path = request.url.split('?')[0]!;
  const kept: Array<[string, string]> = [];
  for (const [key, value] of new URLSearchParams(request.url.split('?')[1] ?? '')) {
    if (key !== 'page' && key !== 'size' && key !== 'sort') kept.push([key, value]);
  }
  const sort = request_.sort.map((s) => `${s.field},${s.direction}`);
  const href = (page: number) => {
    const params: Array<[string, string]> = [...kept, ['page', String(page)], ['size', String(request_.size)], ...sort.map((s): [string, string] => ['sort', s])];
    return { href: `${base}${path}?${params.map(([k, v]) => `${encodeQueryValue(k)}=${encodeQueryValue(v)}`).join('&')}` };
  };
  const pages = totalPages(result);
  const navigable = result.page > 0 || result.page + 1 < pages;
  const links: Record<string, { href: string }> = {};
  if (navigable) links.first = href(0);
  if (result.page > 0) links.prev = href(Math.min(result.page - 1, Math.max(pages - 1, 0)));
  links.self = href(result.page);
  if (result.page + 1 < pages) links.next = href(result.page + 1);
  if (navigable) links.last = href(Math.max(pages - 1, 0));
  return {
    ...(result.items.length > 0 ? { _embedded: { [listKey]: result.items.map(toItem) } } : {}),
    _links: links,
    page: { size: result.size, totalElements: result.total, totalPages: pages, number: result.page },
  };
}
