/**
 * The incremental read window over HubSpot search, as pure logic (no I/O): which query to run next,
 * and which of the returned records may be handed out under the compound cursor (modifiedMs, id).
 *
 * The API quirks it works around (API-NOTES §2.4, §6.4):
 * - Search sorts on ONE property, so records sharing one `lastmodifieddate` millisecond come back in
 *   no defined order and may straddle pages. A record is only handed out once every record at its
 *   millisecond has been seen, otherwise a later-seen tie with a smaller id would fall behind the cursor.
 * - Paging (`after`) stops at 10,000 results (400 beyond). Offsets also shift when a record is modified
 *   between two pages (it leaves the result set and re-enters at the end), which would skip a record.
 *   So this never follows offsets: each next query moves the window (`GTE` the last page's newest
 *   millisecond) and starts at offset 0.
 * - Only when a whole page sits on one millisecond (the window cannot move) does it switch to a keyset
 *   within that millisecond: `modprop = T` (as GTE T and LTE T) and `hs_object_id GT <last id>`,
 *   sorted by `hs_object_id` — a total order, so those pages are complete as they arrive, however
 *   many records share T.
 * Index lag (seconds to ~60 s after a write, §2.4) is outside this module: a record indexed late
 * with an old timestamp is only caught if the caller re-reads with an overlap or via webhooks.
 */

export interface WindowRecord {
  id: string;
  modifiedMs: number;
}

export interface WindowCursor {
  modifiedMs: number;
  id: string;
}

export type SearchQuery =
  /** `modprop GTE fromMs` (no filter when null), sorted by modprop ascending, offset 0. */
  | { mode: 'window'; fromMs: number | null }
  /** `modprop = atMs` and `hs_object_id > afterId` (when set), sorted by `hs_object_id` ascending. */
  | { mode: 'tie'; atMs: number; afterId: string | null };

export interface SearchPage<T extends WindowRecord> {
  records: readonly T[];
  /** The response had `paging.next` (the last page has no `paging`). */
  hasMore: boolean;
}

export interface WindowResult<T extends WindowRecord> {
  records: T[];
  cursor: WindowCursor | null;
  done: boolean;
}

/** HubSpot search `limit` maximum (API-NOTES §2.4). */
export const SEARCH_PAGE_SIZE = 200;
/** Enough for the longest useful path (window → tie → empty tie → next window); a guard, not a budget. */
export const DEFAULT_MAX_REQUESTS = 6;

/** Numeric order for HubSpot's numeric-string ids ("9" < "10") without BigInt parsing. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareKeys(a: WindowRecord | WindowCursor, b: WindowRecord | WindowCursor): number {
  return a.modifiedMs - b.modifiedMs || compareIds(a.id, b.id);
}

export class SearchWindow<T extends WindowRecord> {
  private readonly records: T[] = [];
  private query: SearchQuery | null;
  private requests = 0;
  private done = false;

  constructor(
    private readonly after: WindowCursor | null,
    private readonly limit: number,
    private readonly maxRequests = DEFAULT_MAX_REQUESTS,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer: ${limit}`);
    this.query = { mode: 'window', fromMs: after?.modifiedMs ?? null };
  }

  /** The next query to run, or null when the result is ready. */
  nextQuery(): SearchQuery | null {
    return this.query;
  }

  /** Feeds the answer to the query last returned by {@link nextQuery}. */
  absorb(page: SearchPage<T>): void {
    const query = this.query;
    if (!query) throw new Error('SearchWindow.absorb called with no query outstanding');
    this.requests += 1;
    this.query = query.mode === 'window' ? this.absorbWindow(page) : this.absorbTie(query, page);
    // One batch of records per call: the next call resumes from the cursor at the same cost.
    if (this.query && (this.records.length > 0 || this.requests >= this.maxRequests)) this.query = null;
  }

  result(): WindowResult<T> {
    if (this.query) throw new Error('SearchWindow.result called before the window finished');
    const last = this.records.at(-1);
    return {
      records: this.records,
      cursor: last ? { modifiedMs: last.modifiedMs, id: last.id } : this.after,
      done: this.done,
    };
  }

  private absorbWindow(page: SearchPage<T>): SearchQuery | null {
    const rows = [...page.records].sort(compareKeys);
    const first = rows[0];
    const last = rows.at(-1);
    if (!page.hasMore || !first || !last) {
      // Last page: everything at or after the window start has been seen.
      this.done = this.take(rows);
      return null;
    }
    if (first.modifiedMs === last.modifiedMs) {
      const resumeId = this.after?.modifiedMs === last.modifiedMs ? this.after.id : null;
      return { mode: 'tie', atMs: last.modifiedMs, afterId: resumeId };
    }
    // Sorted ascending, so nothing older than the page's newest millisecond can be on a later page;
    // the newest millisecond itself may continue there and is read again by the next window.
    const complete = rows.filter((row) => row.modifiedMs < last.modifiedMs);
    if (!this.take(complete)) return null;
    return { mode: 'window', fromMs: last.modifiedMs };
  }

  private absorbTie(query: Extract<SearchQuery, { mode: 'tie' }>, page: SearchPage<T>): SearchQuery | null {
    const byId = [...page.records].sort((a, b) => compareIds(a.id, b.id));
    const rows = byId.filter(
      (row) =>
        row.modifiedMs === query.atMs && (query.afterId === null || compareIds(row.id, query.afterId) > 0),
    );
    if (!this.take(rows)) return null;
    const last = byId.at(-1);
    if (page.hasMore && last) return { mode: 'tie', atMs: query.atMs, afterId: last.id };
    // Every record at atMs is behind us: the next window starts one millisecond later (GTE T+1 = GT T).
    return { mode: 'window', fromMs: query.atMs + 1 };
  }

  /** Appends the rows after the cursor, up to the limit. False when the limit cut some off. */
  private take(rows: readonly T[]): boolean {
    for (const row of rows) {
      if (this.after && compareKeys(row, this.after) <= 0) continue;
      if (this.records.length >= this.limit) return false;
      this.records.push(row);
    }
    return true;
  }
}
