/**
 * Runs a SOQL query and follows its queryMore pages explicitly. jsforce's autoFetch stops silently at
 * `maxFetch` (10,000) with `done: false` (API-NOTES §0.1, §6.4); here a page loop runs until `done`.
 */
import { z } from 'zod';
import { ApiError } from '../../src/connector/errors.js';
import type { SourceRecord } from '../../src/connector/types.js';
import { fieldBagSchema } from '../shared/field-bag.js';
import type { SalesforceRestClient } from './rest-client.js';

export type QueryRow = Record<string, unknown>;

const queryPageSchema = z.object({
  totalSize: z.number().optional(),
  // jsforce tolerates a missing `done`; so do we (treated as the last page).
  done: z.boolean().optional(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(fieldBagSchema),
});

function unexpected(what: string): ApiError {
  return new ApiError(
    'salesforce',
    `unexpected Salesforce response: ${what}`,
    undefined,
    'UNEXPECTED_RESPONSE',
  );
}

/**
 * All rows of `soql`, page by page. `maxRows` stops early (the SOQL LIMIT already bounds the total; this
 * only guards memory if a query had none).
 */
export async function runQuery(
  client: SalesforceRestClient,
  soql: string,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<QueryRow[]> {
  const rows: QueryRow[] = [];
  let path = `/query?q=${encodeURIComponent(soql)}`;
  for (;;) {
    const parsed = queryPageSchema.safeParse(await client.request({ method: 'GET', path }));
    if (!parsed.success) throw unexpected('query page without records');
    const page = parsed.data;
    rows.push(...page.records);
    if (page.done !== false || page.nextRecordsUrl === undefined || rows.length >= maxRows) return rows;
    // Same as jsforce: rebuild the URL from the locator so the next page is read at our own API version.
    const locator = page.nextRecordsUrl.split('/').pop();
    if (!locator) throw unexpected(`nextRecordsUrl ${page.nextRecordsUrl}`);
    path = `/query/${encodeURIComponent(locator)}`;
  }
}

/** Drops the `attributes` envelope (type + url), also from nested relationship records. */
function withoutAttributes(row: QueryRow): QueryRow {
  const fields: QueryRow = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'attributes') continue;
    const nested = value !== null && typeof value === 'object' && !Array.isArray(value);
    fields[key] = nested ? withoutAttributes(value as QueryRow) : value;
  }
  return fields;
}

/**
 * Salesforce writes datetimes as `2024-05-01T10:40:00.000+0000`; the cursor and `modifiedAt` use one
 * normalised form (`2024-05-01T10:40:00.000Z`) so they compare as strings.
 */
export function normaliseDateTime(value: unknown): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw unexpected(`SystemModstamp ${JSON.stringify(value)}`);
  return new Date(time).toISOString();
}

export function toSourceRecord(object: string, row: QueryRow): SourceRecord {
  const id = row.Id;
  if (typeof id !== 'string') throw unexpected(`${object} row without Id`);
  return { object, id, modifiedAt: normaliseDateTime(row.SystemModstamp), fields: withoutAttributes(row) };
}
