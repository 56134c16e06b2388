import type { HalPage } from './widgets.tsx';
import { navigate, useLocation } from './router.tsx';

/**
 * Where a list stands: the URL value of the previous and next page (null at either end) and a
 * sentence saying where the reader is. Built from the API's own paging (halPosition, offsetPosition).
 */
export interface PagePosition {
  previous: string | null;
  next: string | null;
  summary?: string;
}

/** Genie's HAL `page` block: page numbers are 0-based, like the API's `page` parameter. */
export function halPosition(page: HalPage | undefined): PagePosition | undefined {
  if (!page) return undefined;
  return {
    previous: page.number > 0 ? String(page.number - 1) : null,
    next: page.number + 1 < page.totalPages ? String(page.number + 1) : null,
    summary: `Page ${page.totalPages === 0 ? 0 : page.number + 1} of ${page.totalPages} (${page.totalElements} in all)`,
  };
}

/**
 * An offset/limit list whose total is unknown (the catalog's partitions): there is a next page
 * while a page comes back full.
 */
export function offsetPosition(offset: number, limit: number, shown: number | undefined): PagePosition | undefined {
  if (shown === undefined) return undefined;
  return {
    previous: offset > 0 ? String(Math.max(0, offset - limit)) : null,
    next: shown >= limit ? String(offset + limit) : null,
    summary: shown === 0 ? undefined : `${offset + 1}–${offset + shown}`,
  };
}

/**
 * Previous/next controls for any paged list. The page lives in the URL parameter `param`, so each
 * page is a deep link and the back button steps through pages; the other parameters (filters,
 * sort, size) are kept.
 */
export function Pager({ position, param = 'page', label = 'Pages' }: { position?: PagePosition; param?: string; label?: string }) {
  const { path, search } = useLocation();
  if (!position) return null;
  const go = (value: string) => {
    const next = new URLSearchParams(search);
    next.set(param, value);
    navigate(`${path}?${next.toString()}`);
  };
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={position.previous === null} onClick={() => position.previous !== null && go(position.previous)}>
        Previous
      </button>
      {position.summary ? <span>{position.summary}</span> : null}
      <button type="button" disabled={position.next === null} onClick={() => position.next !== null && go(position.next)}>
        Next
      </button>
    </nav>
  );
}
