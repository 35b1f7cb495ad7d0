/**
 * Shared fixtures for the Salesforce connector tests: a recording gate, a connector on a fake org, and
 * response bodies in the real REST shapes (API-NOTES §1.2, §1.6, §1.7).
 */
import nock from 'nock';
import {
  createSalesforceConnector,
  type SalesforceConfigInput,
  type SalesforceConnector,
} from '../../connectors/salesforce/index.js';
import type { BudgetInfo, RequestGate } from '../../src/connector/request-gate.js';

export const INSTANCE = 'https://acme.my.salesforce.com';
export const LOGIN = 'https://login.salesforce.com';
export const API = '/services/data/v62.0';

export interface RecordingGate extends RequestGate {
  acquired: string[];
  observed: Array<{ lane: string; info: BudgetInfo }>;
}

export function recordingGate(): RecordingGate {
  const acquired: string[] = [];
  const observed: Array<{ lane: string; info: BudgetInfo }> = [];
  return {
    acquired,
    observed,
    acquire: async (lane) => {
      acquired.push(lane);
    },
    observe: (lane, info) => {
      observed.push({ lane, info });
    },
  };
}

export function sessionConnector(
  gate: RequestGate = recordingGate(),
  extra: Partial<SalesforceConfigInput> = {},
): SalesforceConnector {
  return createSalesforceConnector(
    { instanceUrl: INSTANCE, accessToken: 'session-token', ...extra },
    { gate },
  );
}

export function org(): nock.Scope {
  return nock(INSTANCE);
}

/** One query row as Salesforce returns it, with its `attributes` envelope. */
export function leadRow(
  id: string,
  systemModstamp: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    attributes: { type: 'Lead', url: `${API}/sobjects/Lead/${id}` },
    Id: id,
    SystemModstamp: systemModstamp,
    ...fields,
  };
}

/** A query page (`done`, `nextRecordsUrl` only when more pages follow). */
export function queryPage(records: Array<Record<string, unknown>>, totalSize: number, locator?: string) {
  return locator === undefined
    ? { totalSize, done: true, records }
    : { totalSize, done: false, nextRecordsUrl: `${API}/query/${locator}`, records };
}

/** 18-character Lead ids with a sortable counter, e.g. `00Q5e00000AAAA001A`. */
export function leadId(n: number): string {
  return `00Q5e00000AAA${String(n).padStart(4, '0')}A`;
}

export function resetNock(): void {
  nock.cleanAll();
}

/**
 * The SOQL of an intercepted `GET /query?q=`. nock 15.0.0 hands reply callbacks a standard `Request`
 * although its typings say `string` (DESIGN.md §6), so accept both.
 */
export function soqlOf(uri: unknown): string {
  const href = uri instanceof Request ? uri.url : String(uri);
  return new URL(href, INSTANCE).searchParams.get('q') ?? '';
}

/**
 * Counts requests no interceptor matched, e.g. a retry jsforce would send after a 429/503. Call the
 * returned `stop` when done.
 */
export function countUnmatched(): { count: () => number; stop: () => void } {
  let unmatched = 0;
  const onNoMatch = () => {
    unmatched += 1;
  };
  nock.emitter.on('no match', onNoMatch);
  return { count: () => unmatched, stop: () => nock.emitter.removeListener('no match', onNoMatch) };
}
