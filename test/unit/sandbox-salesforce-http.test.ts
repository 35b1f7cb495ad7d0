/**
 * Raw wire shapes of the Salesforce simulator (API-NOTES §1), checked with plain fetch so the
 * assertions do not depend on how jsforce reshapes answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceSimulator } from '../../src/sandbox/salesforce/index.js';

let sim: SalesforceSimulator;
let base: string;

beforeEach(async () => {
  sim = new SalesforceSimulator({ now: () => Date.parse('2024-05-01T10:40:00Z'), minQueryBatchSize: 1 });
  base = await sim.start();
});

afterEach(async () => {
  await sim.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/services/data/v62.0${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sim.credentials.accessToken}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

const q = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;

describe('token endpoint', () => {
  it('answers the OAuth shape for a refresh grant and {error, error_description} 400s otherwise', async () => {
    const form = (fields: Record<string, string>) =>
      fetch(`${base}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const ok = await form({
      grant_type: 'refresh_token',
      refresh_token: sim.credentials.refreshToken,
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
    });
    expect(ok.status).toBe(200);
    const token = (await ok.json()) as Record<string, unknown>;
    expect(token).toMatchObject({
      instance_url: base,
      id: `${base}/id/00D000000000001EAA/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(Date.parse('2024-05-01T10:40:00Z')),
    });
    expect(typeof token.access_token).toBe('string');
    expect(typeof token.signature).toBe('string');
    expect(token).not.toHaveProperty('expires_in');
    expect(ok.headers.get('sforce-limit-info')).toBeNull();

    const badClient = await form({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nope' });
    expect(badClient.status).toBe(400);
    expect(await badClient.json()).toEqual({
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    const badGrant = await form({ grant_type: 'magic' });
    expect(((await badGrant.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('refuses a bad bearer with 401 INVALID_SESSION_ID, without spending API budget', async () => {
    const answer = await call('GET', q('SELECT Id FROM Lead'), undefined, { authorization: 'Bearer stale' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect(sim.apiUsage().used).toBe(0);
  });
});

describe('query wire shapes', () => {
  it('pages with a locator-offset nextRecordsUrl and carries Sforce-Limit-Info', async () => {
    for (let i = 0; i < 3; i++) sim.insert('Lead', { LastName: `L${i}`, Company: 'C' });
    const first = await call('GET', q('SELECT Id, LastName FROM Lead ORDER BY LastName'), undefined, {
      'Sforce-Query-Options': 'batchSize=2',
    });
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/100000');
    const body = first.body as {
      totalSize: number;
      done: boolean;
      nextRecordsUrl: string;
      records: unknown[];
    };
    expect(body).toMatchObject({ totalSize: 3, done: false });
    expect(body.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]+-2$/);
    expect(body.records[0]).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${sim.all('Lead')[0]!.Id}` },
      Id: sim.all('Lead')[0]!.Id,
      LastName: 'L0',
    });
    const more = await call('GET', body.nextRecordsUrl.replace('/services/data/v62.0', ''));
    expect(more.body).toMatchObject({ totalSize: 3, done: true, records: [{ LastName: 'L2' }] });
    expect(more.body).not.toHaveProperty('nextRecordsUrl');
    expect(more.headers.get('sforce-limit-info')).toBe('api-usage=2/100000');
    const expired = await call('GET', '/query/01gBOGUS-2');
    expect(expired.status).toBe(400);
    expect(expired.body).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });

  it('answers an empty result as {totalSize: 0, done: true, records: []}', async () => {
    const answer = await call('GET', q("SELECT Id FROM Contact WHERE Email IN ('x@y.z')"));
    expect(answer.body).toEqual({ totalSize: 0, done: true, records: [] });
  });

  it('echoes the query with a caret in SOQL errors', async () => {
    const bad = await call('GET', q('SELECT Id, Foo__c FROM Lead'));
    expect(bad.status).toBe(400);
    const [error] = bad.body as Array<{ message: string; errorCode: string }>;
    expect(error!.errorCode).toBe('INVALID_FIELD');
    expect(error!.message).toMatch(
      /^\nSELECT Id, Foo__c FROM Lead\n {11}\^\nERROR at Row:1:Column:12\nNo such column 'Foo__c'/,
    );
    const malformed = await call('GET', q('SELECT Id FROM Lead WHERE'));
    expect((malformed.body as Array<{ message: string }>)[0]!.message).toBe(
      "\nSELECT Id FROM Lead WHERE\n                         ^\nERROR at Row:1:Column:26\nunexpected token: '<EOF>'",
    );
  });

  it('queryAll includes deleted records with IsDeleted = true', async () => {
    const id = sim.insert('Lead', { LastName: 'Gone', Company: 'C' });
    sim.delete('Lead', id);
    expect((await call('GET', q('SELECT Id FROM Lead'))).body).toMatchObject({ totalSize: 0 });
    const all = await call('GET', `/queryAll?q=${encodeURIComponent('SELECT Id, IsDeleted FROM Lead')}`);
    expect(all.body).toMatchObject({ totalSize: 1, records: [{ Id: id, IsDeleted: true }] });
  });
});

describe('collections wire shapes', () => {
  it('accepts lowercase id, omits id on failed elements, and records the call-options client', async () => {
    const id = sim.insert('Lead', { LastName: 'A', Company: 'C' });
    const answer = await call(
      'PATCH',
      '/composite/sobjects',
      {
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, id, email: 'a@b.test' },
          { attributes: { type: 'Lead' }, id: '00Q000000000ZZZZZZ', Title: 'x' },
          { attributes: { type: 'Lead' }, id, Title: 'x'.repeat(129) },
        ],
      },
      { 'Sforce-Call-Options': 'client=lockstep-test' },
    );
    expect(answer.status).toBe(200);
    const results = answer.body as Array<Record<string, unknown>>;
    expect(results[0]).toEqual({ id, success: true, errors: [] });
    expect(results[1]).toEqual({
      success: false,
      errors: [
        { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] },
      ],
    });
    expect(results[2]).not.toHaveProperty('id');
    expect(results[2]).toMatchObject({ errors: [{ statusCode: 'STRING_TOO_LONG', fields: ['Title'] }] });
    expect(sim.get('Lead', id)!.Email).toBe('a@b.test');
    expect(sim.meta(id)!.lastWriteClient).toBe('lockstep-test');
    expect(sim.calls()).toMatchObject({ writes: 1, byRoute: { 'composite-update': 1 } });
  });

  it('refuses more than 200 records with 400 EXCEEDED_ID_LIMIT', async () => {
    const records = Array.from({ length: 201 }, () => ({
      attributes: { type: 'Lead' },
      LastName: 'x',
      Company: 'y',
    }));
    const answer = await call('POST', '/composite/sobjects', { allOrNone: false, records });
    expect(answer.status).toBe(400);
    expect((answer.body as Array<{ errorCode: string }>)[0]!.errorCode).toBe('EXCEEDED_ID_LIMIT');
    expect(sim.all('Lead')).toHaveLength(0);
  });

  it('retrieves with GET ?ids=&fields= and answers null for unknown ids', async () => {
    const id = sim.insert('Contact', { LastName: 'R', Email: 'r@x.test' });
    const answer = await call('GET', `/composite/sobjects/Contact?ids=${id},003000000000ZZZ&fields=Id,Email`);
    expect(answer.body).toEqual([
      {
        attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${id}` },
        Id: id,
        Email: 'r@x.test',
      },
      null,
    ]);
  });
});

describe('single-record resources', () => {
  it('GET, PATCH (204), POST (201) and DELETE (204) with REST error bodies', async () => {
    const id = sim.insert('Lead', { LastName: 'S', Company: 'C' });
    expect((await call('GET', `/sobjects/Lead/${id}?fields=LastName`)).body).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${id}` },
      LastName: 'S',
    });
    expect((await call('PATCH', `/sobjects/Lead/${id}`, { Title: 'T' })).status).toBe(204);
    const bad = await call('PATCH', `/sobjects/Lead/${id}`, { Status: 'Nurturing' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual([
      {
        message: 'Lead Status: bad value for restricted picklist field: Nurturing',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Status'],
      },
    ]);
    const created = await call('POST', '/sobjects/OpportunityContactRole', {
      OpportunityId: sim.insert('Opportunity', {
        Name: 'O',
        StageName: 'Prospecting',
        CloseDate: '2024-06-01',
      }),
      ContactId: sim.insert('Contact', { LastName: 'C' }),
      Role: 'Decision Maker',
      IsPrimary: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^00K/), success: true, errors: [] });
    expect((await call('DELETE', `/sobjects/Lead/${id}`)).status).toBe(204);
    expect((await call('GET', `/sobjects/Lead/${id}`)).status).toBe(404);
    expect((await call('GET', '/sobjects/Widget/describe')).body).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
    expect(sim.calls().byRoute).toMatchObject({
      'sobject-get': 2,
      'sobject-update': 2,
      'sobject-create': 1,
      describe: 1,
    });
  });

  it('injected faults replace the answer for the named route only', async () => {
    sim.injectFault({
      route: 'query',
      status: 403,
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
    expect((await call('GET', q('SELECT Id FROM Lead'))).status).toBe(403);
    expect((await call('GET', q('SELECT Id FROM Lead'))).status).toBe(200);
    sim.injectFault({
      route: '*',
      status: 500,
      body: [{ message: 'boom', errorCode: 'UNKNOWN_EXCEPTION' }],
      times: 2,
    });
    expect((await call('GET', '/sobjects/Lead/describe')).status).toBe(500);
    expect((await call('GET', '/limits')).status).toBe(500);
    expect((await call('GET', '/limits')).body).toMatchObject({ DailyApiRequests: { Max: 100000 } });
  });
});
