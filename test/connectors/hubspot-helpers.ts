/**
 * Shared fixtures for the HubSpot connector tests: a recording gate, the connector built the same way
 * in every file (the SDK Client is per process), and a fake search index that answers with the real
 * CRM v3 search semantics (API-NOTES §2.4): one sort, ties in no id order, `paging` absent on the last
 * page, and 400 when paging reaches 10,000 results.
 */

import { createHubSpotConnector } from '../../connectors/hubspot/index.js';
import type { BudgetInfo, RequestGate } from '../../src/connector/request-gate.js';
import type { Connector, WriteResult } from '../../src/connector/types.js';

/** With a trailing slash on purpose: the config must strip it. */
export const HS_BASE = 'https://api.hubapi.com/';
export const HS_ORIGIN = 'https://api.hubapi.com';

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

export function hubspotConnector(gate: RequestGate = recordingGate(), now?: () => number): Connector {
  return createHubSpotConnector(
    { accessToken: 'pat-na1-test', baseUrl: HS_BASE },
    now ? { gate, now } : { gate },
  );
}

/** Rate headers HubSpot sends on non-search answers (API-NOTES §2.3). */
export const RATE_HEADERS = {
  'X-HubSpot-RateLimit-Daily': '650000',
  'X-HubSpot-RateLimit-Daily-Remaining': '649000',
  'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
  'X-HubSpot-RateLimit-Max': '190',
  'X-HubSpot-RateLimit-Remaining': '187',
};

export interface IndexedRecord {
  id: string;
  modifiedMs: number;
}

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
}

export interface SearchBody {
  filterGroups: Array<{ filters: Filter[] }>;
  sorts: Array<{ propertyName: string; direction: string }>;
  properties: string[];
  limit: number;
  after?: string;
}

export const SEARCH_CAP = 10_000;

function sortValue(record: IndexedRecord, property: string): number {
  return property === 'hs_object_id' ? Number(record.id) : record.modifiedMs;
}

function matches(record: IndexedRecord, filter: Filter): boolean {
  const left = sortValue(record, filter.propertyName);
  const right = Number(filter.value);
  switch (filter.operator) {
    case 'GTE':
      return left >= right;
    case 'LTE':
      return left <= right;
    case 'GT':
      return left > right;
    case 'LT':
      return left < right;
    case 'EQ':
      return left === right;
    default:
      throw new Error(`fake search: operator ${filter.operator} not supported`);
  }
}

/** A stable scramble, so ties come back in an order unrelated to their ids. */
function scramble(id: string): number {
  let hash = 2166136261;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return hash >>> 0;
}

export function toHsObject(record: IndexedRecord, property = 'lastmodifieddate') {
  const iso = new Date(record.modifiedMs).toISOString();
  return {
    id: record.id,
    properties: { hs_object_id: record.id, [property]: iso, email: `c${record.id}@example.com` },
    createdAt: '2024-04-02T09:12:45.123Z',
    updatedAt: iso,
    archived: false,
  };
}

/** Answers one search request body like HubSpot: [status, body]. */
export function fakeSearch(index: readonly IndexedRecord[], body: SearchBody): [number, unknown] {
  const offset = Number(body.after ?? '0');
  if (offset + body.limit > SEARCH_CAP) {
    return [400, { status: 'error', message: 'paging past 10000 results', category: 'VALIDATION_ERROR' }];
  }
  const groups = body.filterGroups;
  const hits = index.filter(
    (record) => groups.length === 0 || groups.some((group) => group.filters.every((f) => matches(record, f))),
  );
  const sort = body.sorts[0];
  if (!sort) throw new Error('fake search: expected one sort');
  hits.sort(
    (a, b) =>
      sortValue(a, sort.propertyName) - sortValue(b, sort.propertyName) || scramble(a.id) - scramble(b.id),
  );
  const page = hits.slice(offset, offset + body.limit);
  const next = offset + body.limit;
  return [
    200,
    {
      total: hits.length,
      results: page.map((record) => toHsObject(record)),
      ...(next < hits.length ? { paging: { next: { after: String(next), link: `?after=${next}` } } } : {}),
    },
  ];
}

/** Drains readChanges from `after` until done, with a guard against a loop that never finishes. */
export async function readAll(connector: Connector, object: string, limit: number, maxCalls = 1000) {
  const seen: Array<{ id: string; modifiedAt: string }> = [];
  let cursor = null as Awaited<ReturnType<Connector['readChanges']>>['cursor'];
  for (let call = 0; call < maxCalls; call++) {
    const page = await connector.readChanges(object, cursor, ['email'], limit);
    for (const record of page.records) seen.push({ id: record.id, modifiedAt: record.modifiedAt });
    cursor = page.cursor;
    if (page.done) return { seen, cursor, calls: call + 1 };
  }
  throw new Error(`readChanges not done after ${maxCalls} calls`);
}

/** A SimplePublicObject as batch update/create return it (API-NOTES §2.5). */
export function updated(id: string, properties: Record<string, string>) {
  return {
    id,
    properties: { ...properties, hs_object_id: id, lastmodifieddate: '2024-05-01T10:00:00.000Z' },
    createdAt: '2024-04-02T09:12:45.123Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    archived: false,
  };
}

export function batchOk(results: unknown[]) {
  return {
    status: 'COMPLETE',
    results,
    requestedAt: '2024-05-01T10:00:00.000Z',
    startedAt: '2024-05-01T10:00:00.010Z',
    completedAt: '2024-05-01T10:00:00.120Z',
    links: {},
  };
}

export function byRef(results: WriteResult[]): Map<string, WriteResult> {
  return new Map(results.map((result) => [result.ref, result]));
}
