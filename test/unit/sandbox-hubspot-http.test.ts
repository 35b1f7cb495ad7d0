/**
 * HubSpot simulator wire behaviour over raw HTTP: search semantics, batch validation, ordering,
 * the forward-only lifecycle stage, rate limits and their headers, faults, and call counting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HubSpotSimulator, type HubSpotSimulatorOptions } from '../../src/sandbox/hubspot/index.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const started: HubSpotSimulator[] = [];

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are inspected loosely in assertions
  body: any;
}

async function boot(options: HubSpotSimulatorOptions = {}) {
  let clock = T0;
  const sim = new HubSpotSimulator({ now: () => clock, ...options });
  const url = await sim.start();
  started.push(sim);
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token = 'pat-sandbox',
  ): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    sim,
    call,
    post: (path: string, body: unknown) => call('POST', path, body),
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

const SEARCH = '/crm/v3/objects/contacts/search';

describe('search', () => {
  it('applies typed filters, OR-ed groups, one sort and the limits', async () => {
    const { sim, post, tick } = await boot({ rateLimits: false });
    const a = sim.createContact({ email: 'a@x.io', annualrevenue: 900, lifecyclestage: 'lead' });
    tick(1000);
    const b = sim.createContact({ email: 'b@x.io', annualrevenue: 1000, lifecyclestage: 'customer' });
    tick(1000);
    const c = sim.createContact({ email: 'c@x.io' });
    const ids = async (body: unknown) =>
      (await post(SEARCH, body)).body.results.map((r: { id: string }) => r.id);
    const group = (...filters: unknown[]) => ({ filters });

    // Numbers compare numerically ("900" < "1000"); unset values never match a comparison.
    expect(
      await ids({ filterGroups: [group({ propertyName: 'annualrevenue', operator: 'LT', value: '1000' })] }),
    ).toEqual([a]);
    expect(
      await ids({
        filterGroups: [
          group({ propertyName: 'lifecyclestage', operator: 'IN', values: ['lead', 'customer'] }),
        ],
      }),
    ).toEqual([a, b]);
    expect(
      await ids({
        filterGroups: [group({ propertyName: 'lifecyclestage', operator: 'NOT_IN', values: ['lead'] })],
      }),
    ).toEqual([b, c]);
    expect(
      await ids({ filterGroups: [group({ propertyName: 'annualrevenue', operator: 'NOT_HAS_PROPERTY' })] }),
    ).toEqual([c]);
    // Datetimes take epoch-ms strings and ISO alike; BETWEEN is inclusive.
    expect(
      await ids({
        filterGroups: [
          group({
            propertyName: 'createdate',
            operator: 'BETWEEN',
            value: String(T0 + 1000),
            highValue: '2024-05-01T10:00:02.000Z',
          }),
        ],
      }),
    ).toEqual([b, c]);
    // Groups are OR-ed, filters inside a group AND-ed.
    expect(
      await ids({
        filterGroups: [
          group({ propertyName: 'email', operator: 'EQ', value: 'A@X.IO' }),
          group(
            { propertyName: 'createdate', operator: 'GTE', value: String(T0 + 2000) },
            { propertyName: 'email', operator: 'HAS_PROPERTY' },
          ),
        ],
      }),
    ).toEqual([a, c]);
    // String sort form, descending.
    expect(await ids({ sorts: ['-createdate'] })).toEqual([c, b, a]);

    const tooBig = await post(SEARCH, { limit: 201 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.category).toBe('VALIDATION_ERROR');
    const beyondCap = await post(SEARCH, { limit: 100, after: '10000' });
    expect(beyondCap.status).toBe(400);
  });

  it('defaults to 10 results, pages with after and reports total', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    for (let i = 0; i < 12; i++) sim.createContact({ email: `p${i}@x.io` });
    const first = await post(SEARCH, {});
    expect(first.body.total).toBe(12);
    expect(first.body.results).toHaveLength(10);
    expect(first.body.paging.next.after).toBe('10');
    expect(Object.keys(first.body.results[0].properties).sort()).toEqual(
      ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
    );
    const last = await post(SEARCH, { after: '10' });
    expect(last.body.results).toHaveLength(2);
    expect(last.body.paging).toBeUndefined();
  });

  it('stops at 10,000 results: the next cursor there answers 400', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    for (let i = 0; i < 10_050; i++) sim.createContact({ firstname: `n${i}` });
    const edge = await post(SEARCH, { limit: 200, after: '9900' });
    expect(edge.body.total).toBe(10_050);
    expect(edge.body.results).toHaveLength(100);
    expect(edge.body.paging.next.after).toBe('10000');
    const beyond = await post(SEARCH, { limit: 200, after: edge.body.paging.next.after });
    expect(beyond.status).toBe(400);
    expect(beyond.body.category).toBe('VALIDATION_ERROR');
  });

  it('lags behind writes when an index lag is configured', async () => {
    const { sim, post, tick } = await boot({ rateLimits: false, searchIndexLagMs: 5000 });
    const id = sim.createContact({ email: 'lag@x.io', firstname: 'Old' });
    expect((await post(SEARCH, {})).body.total).toBe(0);
    tick(5000);
    sim.updateContact(id, { firstname: 'New' });
    const stale = await post(SEARCH, { properties: ['firstname'] });
    expect(stale.body.results[0].properties.firstname).toBe('Old');
    tick(5000);
    const fresh = await post(SEARCH, { properties: ['firstname'] });
    expect(fresh.body.results[0].properties.firstname).toBe('New');
  });
});

describe('batch writes', () => {
  it('returns results in a non-input order', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    const ids = Array.from({ length: 10 }, (_, i) => sim.createContact({ email: `o${i}@x.io` }));
    const read = await post('/crm/v3/objects/contacts/batch/read', {
      inputs: ids.map((id) => ({ id })),
      properties: [],
    });
    const got = read.body.results.map((r: { id: string }) => r.id);
    expect(got).not.toEqual(ids);
    expect([...got].sort()).toEqual([...ids].sort());
  });

  it('rejects the whole batch for read-only, unknown or invalid values and commits nothing', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    const id = sim.createContact({ email: 'v@x.io' });
    const update = (properties: Record<string, string>) =>
      post('/crm/v3/objects/contacts/batch/update', {
        inputs: [
          { id, properties: { firstname: 'Nope' } },
          { id: sim.createContact({}), properties },
        ],
      });
    const readOnly = await update({ hubspotscore: '80' });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.message).toContain('READ_ONLY_VALUE');
    expect(readOnly.body.message).toContain('hubspotscore');
    const unknown = await update({ favourite_colour: 'teal' });
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    const badNumber = await update({ annualrevenue: 'lots' });
    expect(badNumber.body.message).toContain('INVALID_FLOAT');
    const badDate = await update({ salesforce_closed_won_date: String(T0) });
    expect(badDate.body.message).toContain('INVALID_DATE');
    expect(sim.getContact(id)?.properties.firstname).toBeUndefined();
    expect(sim.calls().unchangedWrites).toBe(0);
  });

  it('answers 207 for unknown ids, 400 for duplicates and for more than 100 inputs', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    const id = sim.createContact({ email: 'd@x.io' });
    const partial = await post('/crm/v3/objects/contacts/batch/update', {
      inputs: [
        { id, properties: { firstname: 'Yes' } },
        { id: '777', properties: { firstname: 'No' } },
      ],
    });
    expect(partial.status).toBe(207);
    expect(partial.body.errors[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['777'] } });
    expect(sim.getContact(id)?.properties.firstname).toBe('Yes');

    const dupes = await post('/crm/v3/objects/contacts/batch/update', {
      inputs: [
        { id, properties: { firstname: 'A' } },
        { id: 'd@x.io', idProperty: 'email', properties: { lastname: 'B' } },
      ],
    });
    expect(dupes.status).toBe(400);
    const many = await post('/crm/v3/objects/contacts/batch/read', {
      inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })),
    });
    expect(many.status).toBe(400);
  });

  it('keeps lifecyclestage forward-only unless cleared in an earlier request', async () => {
    const { sim, call } = await boot({ rateLimits: false });
    const id = sim.createContact({ email: 'l@x.io', lifecyclestage: 'customer' });
    const patch = (lifecyclestage: string) =>
      call('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { lifecyclestage } });
    const backwards = await patch('lead');
    expect(backwards.status).toBe(200);
    expect(sim.getContact(id)?.properties.lifecyclestage).toBe('customer');
    expect(sim.calls().unchangedByRoute['object-update']).toBe(1);
    await patch('');
    expect(sim.getContact(id)?.properties.lifecyclestage).toBeUndefined();
    await patch('lead');
    expect(sim.getContact(id)?.properties.lifecyclestage).toBe('lead');
    expect(sim.getContact(id)?.history.lifecyclestage?.map((h) => h.value)).toEqual(['lead', '', 'customer']);

    const { sim: lax, call: laxCall } = await boot({ rateLimits: false, lifecycleBackwardWrites: 'apply' });
    const other = lax.createContact({ lifecyclestage: 'customer' });
    await laxCall('PATCH', `/crm/v3/objects/contacts/${other}`, { properties: { lifecyclestage: 'lead' } });
    expect(lax.getContact(other)?.properties.lifecyclestage).toBe('lead');
  });

  it('bumps lastmodifieddate only on a real change and counts unchanged writes', async () => {
    const { sim, post, tick } = await boot({ rateLimits: false });
    const id = sim.createContact({ email: 'm@x.io', firstname: 'Same' });
    tick(1234);
    const update = (firstname: string) =>
      post('/crm/v3/objects/contacts/batch/update', { inputs: [{ id, properties: { firstname } }] });
    const same = await update('Same');
    expect(same.status).toBe(200);
    expect(sim.getContact(id)?.properties.lastmodifieddate).toBe('2024-05-01T10:00:00.000Z');
    await update('Other');
    expect(sim.getContact(id)?.properties.lastmodifieddate).toBe('2024-05-01T10:00:01.234Z');
    expect(sim.calls()).toMatchObject({
      writes: 2,
      unchangedWrites: 1,
      unchangedRecords: 1,
      unchangedByRoute: { 'batch-update': 1 },
    });
    sim.resetCalls();
    expect(sim.calls()).toMatchObject({ total: 0, unchangedWrites: 0 });
  });

  it('derives hs_is_closed_won on deals and validates stages', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    const deal = sim.createDeal({ dealname: 'D', dealstage: 'contractsent', amount: 5000 });
    expect(sim.getDeal(deal)?.properties.hs_is_closed_won).toBe('false');
    const won = await post('/crm/v3/objects/deals/batch/update', {
      inputs: [{ id: deal, properties: { dealstage: 'closedwon' } }],
    });
    expect(won.status).toBe(200);
    expect(sim.getDeal(deal)?.properties).toMatchObject({ hs_is_closed_won: 'true', amount: '5000' });
    expect(won.body.results[0].properties).toHaveProperty('hs_lastmodifieddate');
    const bad = await post('/crm/v3/objects/deals/batch/update', {
      inputs: [{ id: deal, properties: { dealstage: 'won' } }],
    });
    expect(bad.status).toBe(400);
  });
});

describe('rate limits', () => {
  it('enforces the ten-secondly window with headers and Retry-After', async () => {
    const { call, tick } = await boot({ tenSecondlyLimit: 3 });
    const get = () => call('GET', '/crm/v3/properties/contacts/email');
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await get();
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-hubspot-ratelimit-max')).toBe('3');
      expect(ok.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      expect(ok.headers.get('x-hubspot-ratelimit-daily')).toBe('1000000');
      remaining.push(ok.headers.get('x-hubspot-ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    tick(4000);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(limited.headers.get('retry-after')).toBe('6');
    tick(6001);
    expect((await get()).status).toBe(200);
  });

  it('limits search per second separately and sends no rate headers on search', async () => {
    const { call, tick } = await boot({ searchPerSecondLimit: 2, tenSecondlyLimit: 1 });
    const search = () => call('POST', SEARCH, {});
    const first = await search();
    expect(first.status).toBe(200);
    expect([...first.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([]);
    expect((await search()).status).toBe(200);
    const limited = await search();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      message: 'You have reached your secondly limit.',
      policyName: 'SECONDLY',
    });
    // Searches do not spend the (here tiny) ten-secondly budget.
    expect((await call('GET', '/crm/v3/pipelines/deals')).status).toBe(200);
    tick(1000);
    expect((await search()).status).toBe(200);
  });

  it('stops at the daily limit with policy DAILY', async () => {
    const { call } = await boot({ dailyLimit: 2 });
    await call('GET', '/crm/v3/pipelines/deals');
    const last = await call('GET', '/crm/v3/pipelines/deals');
    expect(last.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
    const limited = await call('GET', '/crm/v3/pipelines/deals');
    expect(limited.status).toBe(429);
    expect(limited.body.policyName).toBe('DAILY');
  });

  it('rejects a wrong token before counting against the budget', async () => {
    const { call } = await boot({ tenSecondlyLimit: 1 });
    const denied = await call('GET', '/crm/v3/pipelines/deals', undefined, 'pat-wrong');
    expect(denied.status).toBe(401);
    expect(denied.body.category).toBe('INVALID_AUTHENTICATION');
    expect((await call('GET', '/crm/v3/pipelines/deals')).status).toBe(200);
  });
});

describe('faults, schema and associations', () => {
  it('delegates fault injection and counts every call per route', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    sim.injectFault({ route: 'batch-read', status: 503, body: { message: 'down' } });
    expect((await post('/crm/v3/objects/contacts/batch/read', { inputs: [] })).status).toBe(503);
    expect((await post('/crm/v3/objects/contacts/batch/read', { inputs: [] })).status).toBe(200);
    sim.injectFault({ route: '*', status: 500, times: 5 });
    sim.clearFaults();
    expect((await post(SEARCH, {})).status).toBe(200);
    expect(sim.calls()).toMatchObject({
      total: 3,
      reads: 3,
      writes: 0,
      byRoute: { 'batch-read': 2, search: 1 },
    });
  });

  it('serves one property with its options in stage order', async () => {
    const { call } = await boot({ rateLimits: false });
    const stage = await call('GET', '/crm/v3/properties/contacts/lifecyclestage');
    expect(stage.body.options.map((o: { value: string }) => o.value)).toEqual([
      'subscriber',
      'lead',
      'marketingqualifiedlead',
      'salesqualifiedlead',
      'opportunity',
      'customer',
      'evangelist',
      'other',
    ]);
    expect(stage.body.modificationMetadata.readOnlyValue).toBe(false);
    expect((await call('GET', '/crm/v3/properties/contacts/nope')).status).toBe(404);
  });

  it('batch-associates by default and batch-reads associations with 207 for unknown ids', async () => {
    const { sim, post } = await boot({ rateLimits: false });
    const contact = sim.createContact({ email: 'as@x.io' });
    const deal = sim.createDeal({ dealname: 'AS' });
    const made = await post('/crm/v4/associations/contacts/deals/batch/associate/default', {
      inputs: [{ from: { id: contact }, to: { id: deal } }],
    });
    expect(made.status).toBe(200);
    const read = await post('/crm/v4/associations/deals/contacts/batch/read', {
      inputs: [{ id: deal }, { id: '9999' }],
    });
    expect(read.status).toBe(207);
    expect(read.body.results).toEqual([
      {
        from: { id: deal },
        to: [
          {
            toObjectId: Number(contact),
            associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }],
          },
        ],
      },
    ]);
    expect(read.body.errors[0].context.ids).toEqual(['9999']);
  });
});
