import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  leadId,
  leadRow,
  org,
  queryPage,
  recordingGate,
  sessionConnector,
  soqlOf,
} from './salesforce-helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('readChanges', () => {
  it('follows queryMore pages via nextRecordsUrl and normalises SystemModstamp', async () => {
    const soql =
      'SELECT Id, SystemModstamp, Email, Status FROM Lead ORDER BY SystemModstamp ASC, Id ASC LIMIT 5';
    const scope = org()
      .get(`${API}/query`)
      .query({ q: soql })
      .reply(
        200,
        queryPage(
          [leadRow(leadId(1), '2024-05-01T10:40:00.000+0000', { Email: 'a@x.com', Status: 'Open' })],
          3,
          '01gRO0000016PIAYA2-1',
        ),
      )
      .get(`${API}/query/01gRO0000016PIAYA2-1`)
      .reply(
        200,
        queryPage(
          [leadRow(leadId(2), '2024-05-01T10:40:01.000+0000', { Email: null, Status: 'Open' })],
          3,
          '01gRO0000016PIAYA2-2',
        ),
      )
      .get(`${API}/query/01gRO0000016PIAYA2-2`)
      .reply(
        200,
        queryPage(
          [
            leadRow(leadId(3), '2024-05-01T10:41:00.000+0000', {
              Email: 'c@x.com',
              Status: 'Working - Contacted',
            }),
          ],
          3,
        ),
      );

    const page = await sessionConnector().readChanges('Lead', null, ['Email', 'Status'], 5);

    expect(scope.isDone()).toBe(true);
    expect(page.records.map((r) => r.id)).toEqual([leadId(1), leadId(2), leadId(3)]);
    expect(page.records[0]).toEqual({
      object: 'Lead',
      id: leadId(1),
      modifiedAt: '2024-05-01T10:40:00.000Z',
      // Raw Salesforce values, without the `attributes` envelope.
      fields: {
        Id: leadId(1),
        SystemModstamp: '2024-05-01T10:40:00.000+0000',
        Email: 'a@x.com',
        Status: 'Open',
      },
    });
    expect(page.cursor).toEqual({ modifiedAt: '2024-05-01T10:41:00.000Z', id: leadId(3) });
    expect(page.done).toBe(true); // 3 < limit 5
  });

  it('resumes a tie group at one SystemModstamp through the compound cursor without loss or repeats', async () => {
    // Four leads share 10:40:00 (whole-second precision); pages of 2 must split the tie group cleanly.
    const tie = '2024-05-01T10:40:00.000+0000';
    const first = 'SELECT Id, SystemModstamp FROM Lead ORDER BY SystemModstamp ASC, Id ASC LIMIT 2';
    const second =
      'SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp > 2024-05-01T10:40:00Z OR ' +
      `(SystemModstamp = 2024-05-01T10:40:00Z AND Id > '${leadId(2)}') ORDER BY SystemModstamp ASC, Id ASC LIMIT 2`;
    const third =
      'SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp > 2024-05-01T10:40:00Z OR ' +
      `(SystemModstamp = 2024-05-01T10:40:00Z AND Id > '${leadId(4)}') ORDER BY SystemModstamp ASC, Id ASC LIMIT 2`;
    const scope = org()
      .get(`${API}/query`)
      .query({ q: first })
      .reply(200, queryPage([leadRow(leadId(1), tie), leadRow(leadId(2), tie)], 2))
      .get(`${API}/query`)
      .query({ q: second })
      .reply(200, queryPage([leadRow(leadId(3), tie), leadRow(leadId(4), tie)], 2))
      .get(`${API}/query`)
      .query({ q: third })
      .reply(200, queryPage([], 0));
    const connector = sessionConnector();

    const seen: string[] = [];
    let page = await connector.readChanges('Lead', null, [], 2);
    seen.push(...page.records.map((r) => r.id));
    expect(page).toMatchObject({
      done: false,
      cursor: { modifiedAt: '2024-05-01T10:40:00.000Z', id: leadId(2) },
    });
    page = await connector.readChanges('Lead', page.cursor, [], 2);
    seen.push(...page.records.map((r) => r.id));
    expect(page.cursor).toEqual({ modifiedAt: '2024-05-01T10:40:00.000Z', id: leadId(4) });
    const last = await connector.readChanges('Lead', page.cursor, [], 2);

    expect(scope.isDone()).toBe(true);
    expect(seen).toEqual([leadId(1), leadId(2), leadId(3), leadId(4)]);
    // An empty page keeps the input cursor and reports done.
    expect(last).toEqual({
      records: [],
      cursor: { modifiedAt: '2024-05-01T10:40:00.000Z', id: leadId(4) },
      done: true,
    });
  });

  it('sends Sforce-Call-Options and the bearer token, and feeds Sforce-Limit-Info to the gate', async () => {
    const gate = recordingGate();
    const scope = org()
      .matchHeader('sforce-call-options', 'client=lockstep')
      .matchHeader('authorization', 'Bearer session-token')
      .get(`${API}/query`)
      .query(true)
      .reply(200, queryPage([], 0), {
        'Sforce-Limit-Info': 'api-usage=18/5000; per-app-api-usage=17/250(appName=x)',
      });

    await sessionConnector(gate).readChanges('Lead', null, [], 10);

    expect(scope.isDone()).toBe(true);
    expect(gate.acquired).toEqual(['salesforce']);
    expect(gate.observed).toEqual([{ lane: 'salesforce', info: { dailyUsed: 18, dailyLimit: 5000 } }]);
  });

  it('uses the configured call-options client id', async () => {
    const scope = org()
      .matchHeader('sforce-call-options', 'client=lockstep-eu')
      .get(`${API}/query`)
      .query(true)
      .reply(200, queryPage([], 0));
    await sessionConnector(recordingGate(), { callOptionsClient: 'lockstep-eu' }).readChanges(
      'Lead',
      null,
      [],
      1,
    );
    expect(scope.isDone()).toBe(true);
  });
});

describe('readByIds', () => {
  it('chunks at 200 ids per query and maps rows by the requested id', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => leadId(i));
    const queries: string[][] = [];
    const scope = org()
      .get(`${API}/query`)
      .times(3)
      .query(true)
      .reply((uri) => {
        const soql = soqlOf(uri);
        const inList = [...soql.matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
        queries.push(inList);
        // Pretend the last id of every chunk was deleted: it must be absent from the map.
        const rows = inList
          .slice(0, -1)
          .map((id) => leadRow(id, '2024-05-01T10:40:00.000+0000', { Email: `${id}@x.com` }));
        return [200, queryPage(rows, rows.length)];
      });

    const found = await sessionConnector().readByIds(
      'Lead',
      [...ids, ids[0] as string, 'not-an-id'],
      ['Email'],
    );

    expect(scope.isDone()).toBe(true);
    expect(queries.map((q) => q.length)).toEqual([200, 200, 50]);
    expect(queries.flat()).toEqual(ids); // each id asked once, malformed ones never sent
    expect(found.size).toBe(447);
    expect(found.has(leadId(199))).toBe(false);
    expect(found.get(leadId(5))?.fields.Email).toBe(`${leadId(5)}@x.com`);
  });

  it('selects Id and SystemModstamp once and keys a 15-character id to its 18-character record', async () => {
    const id18 = leadId(7);
    const id15 = id18.slice(0, 15);
    const scope = org()
      .get(`${API}/query`)
      .query({ q: `SELECT Id, SystemModstamp, Email FROM Lead WHERE Id IN ('${id15}')` })
      .reply(200, queryPage([leadRow(id18, '2024-05-01T10:40:00.000+0000', { Email: 'a@x.com' })], 1));

    const found = await sessionConnector().readByIds('Lead', [id15], ['Id', 'Email', 'systemmodstamp']);

    expect(scope.isDone()).toBe(true);
    expect(found.get(id15)?.id).toBe(id18);
  });
});

describe('findByEmails', () => {
  it('escapes backslashes and quotes in literals and matches case-insensitively', async () => {
    const soql =
      "SELECT Id, SystemModstamp, Email FROM Lead WHERE Email IN ('o\\'brien@x.com', 'back\\\\slash@x.com', 'ann@x.com')";
    const scope = org()
      .get(`${API}/query`)
      .query({ q: soql })
      .reply(
        200,
        queryPage(
          [
            leadRow(leadId(1), '2024-05-01T10:40:00.000+0000', { Email: "O'Brien@X.com" }),
            leadRow(leadId(2), '2024-05-01T10:40:00.000+0000', { Email: 'ann@x.com' }),
          ],
          2,
        ),
      );

    const found = await sessionConnector().findByEmails(
      'Lead',
      ["O'Brien@x.com", 'back\\slash@x.com', 'ANN@x.com', ' ann@x.com '],
      [],
    );

    expect(scope.isDone()).toBe(true);
    expect(found.map((r) => r.id)).toEqual([leadId(1), leadId(2)]);
  });

  it('splits long e-mail lists into several queries', async () => {
    const emails = Array.from({ length: 230 }, (_, i) => `person${i}@example.com`);
    const sizes: number[] = [];
    const scope = org()
      .get(`${API}/query`)
      .times(3)
      .query(true)
      .reply((uri) => {
        const soql = soqlOf(uri);
        sizes.push([...soql.matchAll(/'[^']+'/g)].length);
        return [200, queryPage([], 0)];
      });
    await sessionConnector().findByEmails('Lead', emails, ['FirstName']);
    expect(scope.isDone()).toBe(true);
    expect(sizes).toEqual([100, 100, 30]);
  });
});
