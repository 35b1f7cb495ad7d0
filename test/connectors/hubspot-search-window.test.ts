/**
 * The pure incremental-window logic (connectors/hubspot/search-window.ts), driven against a fake
 * index with HubSpot's search semantics (API-NOTES §2.4: one sort, unordered ties, 10,000 cap).
 */
import { describe, expect, it } from 'vitest';
import { searchRequestBody } from '../../connectors/hubspot/read-changes.js';
import {
  compareIds,
  type SearchQuery,
  SearchWindow,
  type WindowCursor,
} from '../../connectors/hubspot/search-window.js';
import { fakeSearch, type IndexedRecord, type SearchBody } from './hubspot-helpers.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');

interface Drained {
  records: IndexedRecord[];
  bodies: SearchBody[];
  statuses: number[];
}

/** Runs readChanges' loop against the fake index, without HTTP. */
function readPage(index: IndexedRecord[], after: WindowCursor | null, limit: number, drained: Drained) {
  const window = new SearchWindow<IndexedRecord>(after, limit);
  for (let query = window.nextQuery(); query; query = window.nextQuery()) {
    const body = searchRequestBody('contacts', query, ['email']) as SearchBody;
    drained.bodies.push(body);
    const [status, answer] = fakeSearch(index, body);
    drained.statuses.push(status);
    if (status !== 200) throw new Error(`fake search answered ${status}`);
    const page = answer as { results: Array<{ id: string; updatedAt: string }>; paging?: unknown };
    window.absorb({
      records: page.results.map((r) => ({ id: r.id, modifiedMs: Date.parse(r.updatedAt) })),
      hasMore: page.paging !== undefined,
    });
  }
  return window.result();
}

function drain(index: IndexedRecord[], limit: number, maxCalls = 2000): Drained & { calls: number } {
  const drained: Drained = { records: [], bodies: [], statuses: [] };
  let cursor: WindowCursor | null = null;
  for (let calls = 1; calls <= maxCalls; calls++) {
    const result = readPage(index, cursor, limit, drained);
    drained.records.push(...result.records);
    cursor = result.cursor;
    if (result.done) return { ...drained, calls };
  }
  throw new Error('not done');
}

function byKey(a: IndexedRecord, b: IndexedRecord): number {
  return a.modifiedMs - b.modifiedMs || Number(a.id) - Number(b.id);
}

/** Deterministic dataset: tie groups of varying size, ids unrelated to time order. */
function dataset(groups: number[]): IndexedRecord[] {
  const records: IndexedRecord[] = [];
  let id = 1;
  groups.forEach((size, group) => {
    for (let i = 0; i < size; i++)
      records.push({ id: String(((id++ * 7919) % 1_000_003) + 1), modifiedMs: T0 + group * 3 });
  });
  return records;
}

describe('compareIds', () => {
  it('orders numeric-string ids numerically, not lexically', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('65059681032', '999')).toBeGreaterThan(0);
    expect(compareIds('51', '51')).toBe(0);
  });
});

describe('SearchWindow', () => {
  it('starts with GTE the cursor millisecond, or no filter without a cursor', () => {
    expect(new SearchWindow(null, 10).nextQuery()).toEqual({ mode: 'window', fromMs: null });
    expect(new SearchWindow({ modifiedMs: T0, id: '5' }, 10).nextQuery()).toEqual({
      mode: 'window',
      fromMs: T0,
    });
  });

  it('hands out only records older than the page’s newest millisecond and moves the window there', () => {
    const window = new SearchWindow<IndexedRecord>(null, 200);
    window.absorb({
      records: [
        { id: '3', modifiedMs: T0 + 1 },
        { id: '1', modifiedMs: T0 },
        { id: '2', modifiedMs: T0 + 1 },
        { id: '10', modifiedMs: T0 },
      ],
      hasMore: true,
    });
    const result = window.result();
    expect(result.records.map((r) => r.id)).toEqual(['1', '10']);
    expect(result.cursor).toEqual({ modifiedMs: T0, id: '10' });
    expect(result.done).toBe(false);
  });

  it('moves the window instead of paging when nothing new was complete', () => {
    const window = new SearchWindow<IndexedRecord>({ modifiedMs: T0, id: '9' }, 200);
    window.absorb({
      records: [
        { id: '9', modifiedMs: T0 },
        { id: '4', modifiedMs: T0 + 5 },
      ],
      hasMore: true,
    });
    expect(window.nextQuery()).toEqual<SearchQuery>({ mode: 'window', fromMs: T0 + 5 });
  });

  it('switches to an id keyset inside a millisecond that fills a whole page, resuming after the cursor id', () => {
    const window = new SearchWindow<IndexedRecord>({ modifiedMs: T0, id: '40' }, 200);
    window.absorb({
      records: [
        { id: '90', modifiedMs: T0 },
        { id: '7', modifiedMs: T0 },
      ],
      hasMore: true,
    });
    expect(window.nextQuery()).toEqual<SearchQuery>({ mode: 'tie', atMs: T0, afterId: '40' });
    window.absorb({
      records: [
        { id: '90', modifiedMs: T0 },
        { id: '41', modifiedMs: T0 },
      ],
      hasMore: false,
    });
    const result = window.result();
    expect(result.records.map((r) => r.id)).toEqual(['41', '90']);
    expect(result.done).toBe(false); // records after T0 are not known yet
  });

  it('drops records at or before the cursor, comparing ids numerically', () => {
    const window = new SearchWindow<IndexedRecord>({ modifiedMs: T0, id: '10' }, 200);
    window.absorb({
      records: [
        { id: '9', modifiedMs: T0 },
        { id: '10', modifiedMs: T0 },
        { id: '11', modifiedMs: T0 },
        { id: '2', modifiedMs: T0 + 1 },
      ],
      hasMore: false,
    });
    expect(window.result().records.map((r) => r.id)).toEqual(['11', '2']);
  });

  it('stops at the limit with done=false and the cursor on the last record handed out', () => {
    const window = new SearchWindow<IndexedRecord>(null, 2);
    window.absorb({
      records: [1, 2, 3].map((n) => ({ id: String(n), modifiedMs: T0 + n })),
      hasMore: false,
    });
    expect(window.result()).toMatchObject({ done: false, cursor: { id: '2', modifiedMs: T0 + 2 } });
  });

  it('is done, with the cursor unchanged, on an empty last page', () => {
    const after = { modifiedMs: T0, id: '5' };
    const window = new SearchWindow<IndexedRecord>(after, 200);
    window.absorb({ records: [], hasMore: false });
    expect(window.result()).toEqual({ records: [], cursor: after, done: true });
  });

  it('reads over 10,000 records sharing one millisecond: each once, in order, never paging', () => {
    const sizes = Array.from({ length: 30 }, (_, i) => (i * 37) % 290 || 1);
    sizes[15] = 10_500; // one import stamped 10,500 records with the same millisecond
    const index = dataset(sizes);
    const drained = drain(index, 200);
    expect(drained.records.map((r) => r.id)).toEqual([...index].sort(byKey).map((r) => r.id));
    expect(drained.statuses.every((status) => status === 200)).toBe(true);
    expect(drained.bodies.every((body) => body.after === undefined && body.limit === 200)).toBe(true);
  });

  it('reads tie groups larger than the caller’s limit completely, each record once', () => {
    const index = dataset(Array.from({ length: 24 }, (_, i) => (i * 53) % 410 || 1));
    const drained = drain(index, 37);
    expect(drained.records.map((r) => r.id)).toEqual([...index].sort(byKey).map((r) => r.id));
  });

  it('still sees a record that was modified while the window was moving', () => {
    const index = dataset([150, 150, 150]);
    const drained: Drained = { records: [], bodies: [], statuses: [] };
    const first = readPage(index, null, 100, drained);
    const late = index.find((r) => r.modifiedMs === T0 + 6);
    if (!late) throw new Error('fixture');
    late.modifiedMs = T0 + 1000; // moves behind everything else
    let cursor = first.cursor;
    const seen = [...first.records];
    for (let result = first; !result.done; ) {
      result = readPage(index, cursor, 100, drained);
      seen.push(...result.records);
      cursor = result.cursor;
    }
    expect(seen.filter((r) => r.id === late.id).map((r) => r.modifiedMs)).toEqual([T0 + 1000]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(450);
  });
});
