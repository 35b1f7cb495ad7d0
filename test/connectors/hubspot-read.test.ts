/**
 * HubSpot reads over nock with the real CRM v3 shapes (API-NOTES §2.4 search, §2.5 batch read).
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fakeSearch,
  HS_ORIGIN,
  hubspotConnector,
  type IndexedRecord,
  RATE_HEADERS,
  readAll,
  recordingGate,
  SEARCH_CAP,
  type SearchBody,
  toHsObject,
} from './hubspot-helpers.js';

const SEARCH = '/crm/v3/objects/contacts/search';
const T0 = Date.parse('2024-05-01T10:00:00.000Z');

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Serves `index` through nock as HubSpot search would, recording every request body. */
function serveSearch(index: IndexedRecord[], path = SEARCH) {
  const bodies: SearchBody[] = [];
  nock(HS_ORIGIN)
    .persist()
    .post(path)
    .reply(async (request) => {
      const body = (await request.json()) as SearchBody;
      bodies.push(body);
      return fakeSearch(index, body);
    });
  return bodies;
}

describe('readChanges', () => {
  it('sends the window request in the exact documented shape, through the search lane', async () => {
    const gate = recordingGate();
    const expected = {
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(T0) }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['email', 'lifecyclestage', 'hs_object_id', 'lastmodifieddate'],
      limit: 200,
    };
    const scope = nock(HS_ORIGIN)
      .post(SEARCH, expected)
      .matchHeader('authorization', 'Bearer pat-na1-test')
      .reply(200, { total: 0, results: [] });
    const after = { modifiedAt: new Date(T0).toISOString(), id: '51' };
    const page = await hubspotConnector(gate).readChanges(
      'contacts',
      after,
      ['email', 'lifecyclestage'],
      200,
    );
    expect(scope.isDone()).toBe(true);
    expect(gate.acquired).toEqual(['hubspot-search']);
    expect(page).toEqual({ records: [], cursor: after, done: true });
  });

  it('filters deals on hs_lastmodifieddate and sends no filter without a cursor', async () => {
    const scope = nock(HS_ORIGIN)
      .post('/crm/v3/objects/deals/search', {
        filterGroups: [],
        sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
        properties: ['dealname', 'hs_object_id', 'hs_lastmodifieddate'],
        limit: 200,
      })
      .reply(200, { total: 0, results: [] });
    await hubspotConnector().readChanges('deals', null, ['dealname'], 50);
    expect(scope.isDone()).toBe(true);
  });

  it('returns the last page (no `paging` key) as done, with records mapped and the cursor on the last one', async () => {
    nock(HS_ORIGIN)
      .post(SEARCH)
      .reply(200, {
        total: 2,
        results: [
          toHsObject({ id: '10', modifiedMs: T0 + 5 }),
          toHsObject({ id: '9', modifiedMs: T0 + 5 }), // a tie, returned out of id order
        ],
      });
    const page = await hubspotConnector().readChanges('contacts', null, ['email'], 200);
    expect(page.done).toBe(true);
    expect(page.records.map((r) => r.id)).toEqual(['9', '10']);
    expect(page.records[0]).toEqual({
      object: 'contacts',
      id: '9',
      modifiedAt: new Date(T0 + 5).toISOString(),
      fields: {
        hs_object_id: '9',
        lastmodifieddate: new Date(T0 + 5).toISOString(),
        email: 'c9@example.com',
      },
    });
    expect(page.cursor).toEqual({ modifiedAt: new Date(T0 + 5).toISOString(), id: '10' });
  });

  it('does not lose a tie group at one lastmodifieddate that spans pages', async () => {
    const index: IndexedRecord[] = [
      ...[3, 1, 2].map((n) => ({ id: String(n), modifiedMs: T0 })),
      // 250 records in one millisecond, ids unrelated to the order search returns them in
      ...Array.from({ length: 250 }, (_, i) => ({ id: String(1000 + ((i * 97) % 250)), modifiedMs: T0 + 1 })),
      { id: '7', modifiedMs: T0 + 2 },
      { id: '8', modifiedMs: T0 + 2 },
    ];
    const bodies = serveSearch(index);
    const { seen, calls } = await readAll(hubspotConnector(), 'contacts', 200);
    const expected = [...index].sort((a, b) => a.modifiedMs - b.modifiedMs || Number(a.id) - Number(b.id));
    expect(seen.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(new Set(seen.map((r) => r.id)).size).toBe(255);
    expect(calls).toBeLessThan(10);
    // Inside the tie the keyset on hs_object_id takes over from the one-property sort.
    expect(bodies.some((b) => b.sorts[0]?.propertyName === 'hs_object_id')).toBe(true);
  });

  it('moves the window instead of paging towards the 10,000-result cap (400 beyond it)', async () => {
    // 12,000 records, 3 per millisecond: a reader that followed `after` offsets would hit the cap.
    const index = Array.from({ length: 12_000 }, (_, i) => ({
      id: String(i + 1),
      modifiedMs: T0 + Math.floor(i / 3),
    }));
    const bodies = serveSearch(index);
    const { seen } = await readAll(hubspotConnector(), 'contacts', 200, 200);
    expect(seen.map((r) => r.id)).toEqual(index.map((r) => r.id));
    expect(bodies.every((body) => Number(body.after ?? 0) + body.limit <= SEARCH_CAP)).toBe(true);
    const windowStarts = bodies.map((body) => Number(body.filterGroups[0]?.filters[0]?.value ?? 0));
    expect(windowStarts.at(-1)).toBeGreaterThan(T0 + 3000); // the GTE moved well past 10,000 records
  });

  it('returns at most `limit` records and done=false when more are known', async () => {
    serveSearch(Array.from({ length: 30 }, (_, i) => ({ id: String(i + 1), modifiedMs: T0 + i })));
    const page = await hubspotConnector().readChanges('contacts', null, ['email'], 10);
    expect(page.records).toHaveLength(10);
    expect(page.done).toBe(false);
    expect(page.cursor).toEqual({ modifiedAt: new Date(T0 + 9).toISOString(), id: '10' });
  });
});

describe('readByIds', () => {
  it('treats a 207 OBJECT_NOT_FOUND as absent ids, and observes the rate headers', async () => {
    const gate = recordingGate();
    const scope = nock(HS_ORIGIN)
      .post('/crm/v3/objects/contacts/batch/read', {
        properties: ['email', 'hs_object_id', 'lastmodifieddate'],
        inputs: [{ id: '51' }, { id: '999999' }],
      })
      .query({ archived: 'false' })
      .reply(
        207,
        {
          status: 'COMPLETE',
          results: [toHsObject({ id: '51', modifiedMs: T0 })],
          numErrors: 1,
          errors: [
            {
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message:
                'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
              context: { ids: ['999999'] },
              errors: [],
              links: {},
            },
          ],
          requestedAt: '2024-05-01T10:00:00.000Z',
          startedAt: '2024-05-01T10:00:00.010Z',
          completedAt: '2024-05-01T10:00:00.120Z',
        },
        RATE_HEADERS,
      );
    const records = await hubspotConnector(gate).readByIds('contacts', ['51', '999999'], ['email']);
    expect(scope.isDone()).toBe(true);
    expect([...records.keys()]).toEqual(['51']);
    expect(records.get('51')?.modifiedAt).toBe(new Date(T0).toISOString());
    expect(gate.acquired).toEqual(['hubspot']);
    expect(gate.observed).toEqual([
      { lane: 'hubspot', info: { remaining: 187, windowMs: 10_000, dailyLimit: 650_000, dailyUsed: 1000 } },
    ]);
  });

  it('rejects a result whose properties are not an object, naming the call, instead of reading garbage', async () => {
    nock(HS_ORIGIN)
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(200, { status: 'COMPLETE', results: [{ id: '51', properties: 'email=ada@example.com' }] });
    await expect(hubspotConnector(recordingGate()).readByIds('contacts', ['51'], ['email'])).rejects.toThrow(
      /unexpected body shape/,
    );
  });

  it('reads at most 100 ids per call', async () => {
    const sizes: number[] = [];
    nock(HS_ORIGIN)
      .persist()
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(async (request) => {
        const body = (await request.json()) as { inputs: Array<{ id: string }> };
        sizes.push(body.inputs.length);
        const results = body.inputs.map(({ id }) => toHsObject({ id, modifiedMs: T0 }));
        return [200, { status: 'COMPLETE', results }];
      });
    const ids = Array.from({ length: 250 }, (_, i) => String(i + 1));
    const records = await hubspotConnector().readByIds('contacts', ids, ['email']);
    expect(sizes).toEqual([100, 100, 50]);
    expect(records.size).toBe(250);
  });
});

describe('findByEmails', () => {
  it('batch-reads by idProperty email with lower-cased addresses, not through search', async () => {
    const gate = recordingGate();
    const scope = nock(HS_ORIGIN)
      .post('/crm/v3/objects/contacts/batch/read', {
        properties: ['firstname', 'email', 'hs_object_id', 'lastmodifieddate'],
        idProperty: 'email',
        inputs: [{ id: 'ada@example.com' }, { id: 'nobody@example.com' }],
      })
      .query({ archived: 'false' })
      .reply(207, {
        status: 'COMPLETE',
        results: [toHsObject({ id: '51', modifiedMs: T0 })],
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'not found',
            context: { ids: ['nobody@example.com'] },
          },
        ],
      });
    const records = await hubspotConnector(gate).findByEmails(
      'contacts',
      ['Ada@Example.com', 'nobody@example.com', 'ADA@example.com'],
      ['firstname'],
    );
    expect(scope.isDone()).toBe(true);
    expect(records.map((r) => r.id)).toEqual(['51']);
    expect(gate.acquired).toEqual(['hubspot']);
  });
});
