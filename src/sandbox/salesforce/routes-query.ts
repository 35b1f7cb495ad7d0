/**
 * `GET /query?q=`, `GET /queryAll?q=` and `GET /query/<locator>-<offset>` (queryMore), API-NOTES §1.2–1.3.
 * Results are snapshotted when the query runs, like a server-side cursor, so later edits do not shift
 * the pages of a query already in progress. jsforce rebuilds the next URL from the last path segment
 * of `nextRecordsUrl`, so the locator carries its offset (`01g…-2000`).
 */
import type { SimRequest, SimResponse } from '../sim-http.js';
import { requestedBatchSize, restError, versionOf } from './http-util.js';
import { SoqlSyntaxError } from './soql.js';
import {
  type CompiledQuery,
  compileSoql,
  type JsonObject,
  renderRow,
  runQuery,
  SoqlError,
} from './soql-eval.js';
import type { SalesforceStore } from './store.js';

const MAX_BATCH = 2000;
/** Open cursors kept; older ones expire (INVALID_QUERY_LOCATOR), as Salesforce limits open cursors. */
const MAX_CURSORS = 200;

interface Cursor {
  rows: JsonObject[];
  batch: number;
}

export class QueryRoutes {
  private readonly cursors = new Map<string, Cursor>();
  private counter = 0;

  constructor(
    private readonly store: SalesforceStore,
    /** Salesforce treats batchSize below 200 as 200; tests may lower the floor to page small data sets. */
    private readonly minBatch: number,
  ) {}

  query(req: SimRequest, includeDeleted: boolean): SimResponse {
    const soql = req.query.get('q');
    if (!soql) return restError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    let compiled: CompiledQuery;
    try {
      compiled = compileSoql(soql, this.store);
    } catch (error) {
      if (error instanceof SoqlSyntaxError)
        return soqlFailure(soql, 'MALFORMED_QUERY', error.column, error.message);
      if (error instanceof SoqlError) return soqlFailure(soql, error.errorCode, error.column, error.detail);
      throw error;
    }
    const records = runQuery(compiled, this.store, includeDeleted);
    if (compiled.count) return { status: 200, body: { totalSize: records.length, done: true, records: [] } };
    const version = versionOf(req);
    const rows = records.map((r) => renderRow(compiled, this.store, r, version));
    const batch = this.batchSize(req, MAX_BATCH);
    if (rows.length <= batch)
      return { status: 200, body: { totalSize: rows.length, done: true, records: rows } };
    const locator = this.open({ rows, batch });
    return this.page(locator, { rows, batch }, 0, batch, version);
  }

  queryMore(req: SimRequest): SimResponse {
    const param = req.params.locator ?? '';
    const dash = param.lastIndexOf('-');
    const locator = dash > 0 ? param.slice(0, dash) : param;
    const offset = dash > 0 ? Number(param.slice(dash + 1)) : 0;
    const cursor = this.cursors.get(locator);
    if (!cursor || !Number.isInteger(offset) || offset < 0 || offset > cursor.rows.length) {
      return restError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return this.page(locator, cursor, offset, this.batchSize(req, cursor.batch), versionOf(req));
  }

  private page(locator: string, cursor: Cursor, offset: number, batch: number, version: string): SimResponse {
    const end = Math.min(offset + batch, cursor.rows.length);
    const done = end >= cursor.rows.length;
    const body: JsonObject = { totalSize: cursor.rows.length, done };
    if (!done) body.nextRecordsUrl = `/services/data/${version}/query/${locator}-${end}`;
    body.records = cursor.rows.slice(offset, end);
    return { status: 200, body };
  }

  private batchSize(req: SimRequest, fallback: number): number {
    const asked = requestedBatchSize(req);
    if (asked === undefined) return fallback;
    return Math.min(MAX_BATCH, Math.max(this.minBatch, asked));
  }

  private open(cursor: Cursor): string {
    this.counter += 1;
    const locator = `01gSIM${String(this.counter).padStart(12, '0')}`;
    this.cursors.set(locator, cursor);
    if (this.cursors.size > MAX_CURSORS) {
      const oldest = this.cursors.keys().next().value;
      if (oldest !== undefined) this.cursors.delete(oldest);
    }
    return locator;
  }
}

/** Salesforce echoes the query with a caret under the offending column (API-NOTES §1.7). */
function soqlFailure(soql: string, errorCode: string, column: number, detail: string): SimResponse {
  const caret = `${' '.repeat(Math.max(0, column - 1))}^`;
  return restError(400, errorCode, `\n${soql}\n${caret}\nERROR at Row:1:Column:${column}\n${detail}`);
}
