/**
 * Incremental capture through search: `POST /crm/v3/objects/<object>/search`, driven by the pure
 * {@link SearchWindow}. The search lane is gated separately: search has its own per-second limit and
 * answers without rate headers (API-NOTES §2.3).
 */
import type { ChangeCursor, ChangePage } from '../../src/connector/types.js';
import { modifiedMsOf, modifiedProperty, requestedProperties, toSourceRecord } from './records.js';
import { SEARCH_PAGE_SIZE, type SearchQuery, SearchWindow } from './search-window.js';
import type { HubSpotTransport } from './transport.js';
import { type HsObject, searchResponseSchema } from './wire.js';

interface Filter {
  propertyName: string;
  operator: 'GTE' | 'LTE' | 'GT';
  value: string;
}

/** The JSON body for one window query (shape: API-NOTES §2.4). Date filter values are epoch-ms strings. */
export function searchRequestBody(object: string, query: SearchQuery, properties: string[]) {
  const modified = modifiedProperty(object);
  if (query.mode === 'window') {
    const filters: Filter[] =
      query.fromMs === null ? [] : [{ propertyName: modified, operator: 'GTE', value: String(query.fromMs) }];
    return {
      filterGroups: filters.length > 0 ? [{ filters }] : [],
      // One sort only: search cannot sort on (modified, id), which is why ties need SearchWindow.
      sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
      properties,
      limit: SEARCH_PAGE_SIZE,
    };
  }
  const at = String(query.atMs);
  const filters: Filter[] = [
    { propertyName: modified, operator: 'GTE', value: at },
    { propertyName: modified, operator: 'LTE', value: at },
  ];
  if (query.afterId !== null)
    filters.push({ propertyName: 'hs_object_id', operator: 'GT', value: query.afterId });
  return {
    filterGroups: [{ filters }],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    properties,
    limit: SEARCH_PAGE_SIZE,
  };
}

function cursorMs(cursor: ChangeCursor): number {
  const ms = Date.parse(cursor.modifiedAt);
  if (!Number.isFinite(ms)) throw new RangeError(`cursor.modifiedAt is not a date: ${cursor.modifiedAt}`);
  return ms;
}

export async function readChanges(
  transport: HubSpotTransport,
  object: string,
  after: ChangeCursor | null,
  fields: string[],
  limit: number,
): Promise<ChangePage> {
  const properties = requestedProperties(object, fields);
  const window = new SearchWindow<{ id: string; modifiedMs: number; record: HsObject }>(
    after ? { modifiedMs: cursorMs(after), id: after.id } : null,
    Math.min(limit, SEARCH_PAGE_SIZE),
  );
  for (let query = window.nextQuery(); query; query = window.nextQuery()) {
    const page = await transport.send(
      'hubspot-search',
      {
        method: 'POST',
        path: `/crm/v3/objects/${encodeURIComponent(object)}/search`,
        body: searchRequestBody(object, query, properties),
      },
      searchResponseSchema,
    );
    window.absorb({
      records: page.results.map((record) => ({
        id: record.id,
        modifiedMs: modifiedMsOf(object, record),
        record,
      })),
      hasMore: page.paging?.next !== undefined,
    });
  }
  const result = window.result();
  return {
    records: result.records.map((row) => toSourceRecord(object, row.record)),
    // Keep the caller's own cursor object when nothing moved, so its modifiedAt string round-trips.
    cursor:
      result.records.length === 0
        ? after
        : result.cursor && {
            modifiedAt: new Date(result.cursor.modifiedMs).toISOString(),
            id: result.cursor.id,
          },
    done: result.done,
  };
}
