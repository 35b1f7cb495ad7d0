/**
 * The unmodified jsforce 3.10.16 client against the simulator: query/queryMore, collections update and
 * create, describe, retrieve, OAuth flows, session refresh, API budget and fault injection.
 */
import { createHmac } from 'node:crypto';
import jsforce from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceSimulator } from '../../src/sandbox/salesforce/index.js';

let sim: SalesforceSimulator;
let base: string;
let clock: number;

beforeEach(async () => {
  clock = Date.parse('2024-05-01T10:40:00.000Z');
  sim = new SalesforceSimulator({ now: () => clock });
  base = await sim.start();
});

afterEach(async () => {
  await sim.stop();
});

const connect = () =>
  new jsforce.Connection({
    instanceUrl: base,
    accessToken: sim.credentials.accessToken,
    version: '62.0',
    callOptions: { client: 'lockstep' },
  });

function seedLeads(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    sim.insert('Lead', { LastName: `Lead ${i}`, Company: 'Acme', Email: `lead${i}@acme.test` }),
  );
}

describe('query and queryMore through jsforce', () => {
  it('pages with nextRecordsUrl until done, honouring Sforce-Query-Options batchSize', async () => {
    const seeded = seedLeads(450);
    const conn = connect();
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<{ Id: string }>('SELECT Id FROM Lead ORDER BY Id', { headers });
    expect(first.totalSize).toBe(450);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g\w+-200$/);
    const second = await conn.queryMore<{ Id: string }>(first.nextRecordsUrl!);
    expect(second.records).toHaveLength(200);
    const third = await conn.queryMore<{ Id: string }>(second.nextRecordsUrl!);
    expect(third.done).toBe(true);
    expect(third.nextRecordsUrl).toBeUndefined();
    const all = [...first.records, ...second.records, ...third.records].map((r) => r.Id);
    expect(all).toEqual(seeded);
    expect(sim.calls().byRoute).toMatchObject({ query: 1, 'query-more': 2 });
  });

  it('uses 2000-record batches by default and autoFetch collects every page', async () => {
    seedLeads(2100);
    const conn = connect();
    const first = await conn.query('SELECT Id, Email FROM Lead');
    expect(first.records).toHaveLength(2000);
    expect(first.done).toBe(false);
    const everything = await conn.query('SELECT Id FROM Lead').run({ autoFetch: true, maxFetch: 5000 });
    expect(everything.records).toHaveLength(2100);
  });

  it('snapshots results: an edit after the first page does not shift later pages', async () => {
    const seeded = seedLeads(400);
    const conn = connect();
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<{ Id: string }>('SELECT Id FROM Lead ORDER BY Id', { headers });
    sim.delete('Lead', seeded[0]!);
    const second = await conn.queryMore<{ Id: string }>(first.nextRecordsUrl!);
    expect(second.records[0]!.Id).toBe(seeded[200]);
  });

  it('answers the conversion-follow-up query shapes the connector issues', async () => {
    const [converted, open] = seedLeads(2);
    const result = sim.convertLead(converted!, {
      stageName: 'Closed Won',
      amount: 1200,
      closeDate: '2024-05-30',
    });
    const conn = connect();
    const leads = await conn.query<Record<string, unknown>>(
      `SELECT Id, IsConverted, ConvertedContactId, ConvertedOpportunity.StageName FROM Lead WHERE Id IN ('${converted}','${open}') ORDER BY Id`,
    );
    expect(leads.records[0]).toMatchObject({
      IsConverted: true,
      ConvertedContactId: result.contactId,
      ConvertedOpportunity: { attributes: { type: 'Opportunity' }, StageName: 'Closed Won' },
    });
    expect(leads.records[1]).toMatchObject({ IsConverted: false, ConvertedOpportunity: null });
    const roles = await conn.query<Record<string, unknown>>(
      `SELECT Id, OpportunityId, ContactId, IsPrimary FROM OpportunityContactRole WHERE ContactId IN ('${result.contactId}')`,
    );
    expect(roles.records).toEqual([
      expect.objectContaining({
        OpportunityId: result.opportunityId,
        ContactId: result.contactId,
        IsPrimary: true,
      }),
    ]);
    const opps = await conn.query<Record<string, unknown>>(
      `SELECT Id, StageName, IsClosed, IsWon, Amount, CloseDate FROM Opportunity WHERE Id IN ('${result.opportunityId}')`,
    );
    expect(opps.records[0]).toMatchObject({
      StageName: 'Closed Won',
      IsClosed: true,
      IsWon: true,
      Amount: 1200,
      CloseDate: '2024-05-30',
    });
    const contacts = await conn.query<Record<string, unknown>>(
      "SELECT Id, Email FROM Contact WHERE Email IN ('LEAD0@ACME.TEST','nobody@x.test')",
    );
    expect(contacts.records.map((r) => r.Id)).toEqual([result.contactId]);
  });

  it('surfaces SOQL errors as jsforce errors with Salesforce error codes', async () => {
    const conn = connect();
    await expect(conn.query('SELECT Id, Foo__c FROM Lead')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await expect(conn.query('SELECT Id FROM Lead WHERE')).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
    });
  });
});

describe('writes through jsforce', () => {
  it('updates in input order with per-record failures, and records the call-options client', async () => {
    const [a, b, c] = seedLeads(3);
    const conn = connect();
    clock += 5_000;
    const results = await conn.sobject('Lead').update(
      [
        { Id: a!, Status: 'Working - Contacted' },
        { Id: b!, Status: 'Nurturing' },
        { Id: c!, Lifecycle_Stage__c: 'MQL' },
      ],
      { allOrNone: false, allowRecursive: true },
    );
    expect(results).toEqual([
      { id: a, success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            message: 'Lead Status: bad value for restricted picklist field: Nurturing',
            fields: ['Status'],
          },
        ],
      },
      { id: c, success: true, errors: [] },
    ]);
    expect(sim.get('Lead', a!)).toMatchObject({
      Status: 'Working - Contacted',
      SystemModstamp: '2024-05-01T10:40:05.000+0000',
      LastModifiedDate: '2024-05-01T10:40:05.000+0000',
    });
    expect(sim.get('Lead', b!)).toMatchObject({
      Status: 'Open - Not Contacted',
      SystemModstamp: '2024-05-01T10:40:00.000+0000',
    });
    expect(sim.meta(a!)).toMatchObject({ lastWriteVia: 'api', lastWriteClient: 'lockstep' });
    expect(sim.meta(b!)).toMatchObject({ lastWriteVia: 'ui', lastWriteClient: null });
    expect(sim.writesByClient()).toEqual({ lockstep: 2 });
  });

  it('rolls everything back under allOrNone', async () => {
    const [a, b] = seedLeads(2);
    const conn = connect();
    clock += 5_000;
    const results = await conn.sobject('Lead').update(
      [
        { Id: a!, Title: 'CEO' },
        { Id: b!, IsConverted: true },
      ],
      { allOrNone: true },
    );
    expect(results[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(results[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsConverted'] }],
    });
    expect(sim.get('Lead', a!)).toMatchObject({
      Title: null,
      SystemModstamp: '2024-05-01T10:40:00.000+0000',
    });
  });

  it('splits >200 records only with allowRecursive; otherwise the request is refused', async () => {
    const leads = seedLeads(450);
    const conn = connect();
    const patches = leads.map((Id) => ({ Id, Title: 'VP' }));
    const results = await conn.sobject('Lead').update(patches, { allOrNone: false, allowRecursive: true });
    expect(results.every((r) => r.success)).toBe(true);
    expect(sim.calls().byRoute['composite-update']).toBe(3);
    await expect(
      conn.sobject('Lead').update(patches.slice(0, 201), { allOrNone: false }),
    ).rejects.toMatchObject({
      errorCode: 'EXCEEDED_ID_LIMIT',
    });
  });

  it('counts a write of unchanged values and still bumps the stamp', async () => {
    const [a] = seedLeads(1);
    const conn = connect();
    clock += 3_000;
    await conn.sobject('Lead').update([{ Id: a!, LastName: 'Lead 0' }], { allOrNone: false });
    expect(sim.calls().writes).toBe(1);
    expect(sim.get('Lead', a!)!.SystemModstamp).toBe('2024-05-01T10:40:03.000+0000');
  });

  it('refuses updates to a converted lead (collections and single-record PATCH)', async () => {
    const [a] = seedLeads(1);
    sim.convertLead(a!);
    const conn = connect();
    const [result] = await conn.sobject('Lead').update([{ Id: a!, Title: 'CTO' }], { allOrNone: false });
    expect(result).toMatchObject({
      success: false,
      errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD' }],
    });
    await expect(conn.sobject('Lead').update({ Id: a!, Title: 'CTO' })).rejects.toMatchObject({
      errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
    });
  });

  it('creates records with the right key prefix and reports missing required fields', async () => {
    const conn = connect();
    const results = await conn.sobject('Lead').create([
      {
        LastName: '[not provided]',
        Company: '[not provided]',
        Email: 'new@x.test',
        Lifecycle_Stage__c: 'Lead',
      },
      { LastName: 'No company' },
    ]);
    expect(results[0]).toMatchObject({ success: true, id: expect.stringMatching(/^00Q[0-9A-Z]{15}$/) });
    expect(results[1]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [Company]',
          fields: ['Company'],
        },
      ],
    });
    const created = sim.get('Lead', (results[0] as { id: string }).id);
    expect(created).toMatchObject({
      Status: 'Open - Not Contacted',
      IsConverted: false,
      CreatedById: '005000000000001AAA',
    });
    const single = await conn.sobject('Contact').create({ LastName: 'Solo', Email: 'solo@x.test' });
    expect(single).toMatchObject({ success: true, id: expect.stringMatching(/^003/) });
    expect(sim.calls().byRoute).toMatchObject({ 'composite-create': 1, 'sobject-create': 1 });
  });

  it('retrieves by id with null for missing ids', async () => {
    const [a] = seedLeads(1);
    const conn = connect();
    const missing = '00Q000000000ZZZ';
    const records = await conn.sobject('Lead').retrieve([a!, missing], { fields: ['Id', 'Email'] });
    expect(records[0]).toMatchObject({ Id: a, Email: 'lead0@acme.test' });
    expect(records[1]).toBeNull();
  });
});

describe('describe through jsforce', () => {
  it('describes Lead with restricted picklists, custom fields and read-only conversion fields', async () => {
    const result = await connect().sobject('Lead').describe();
    expect(result.keyPrefix).toBe('00Q');
    const byName = new Map(result.fields.map((f) => [f.name, f]));
    expect(byName.get('Status')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
      nillable: false,
    });
    expect(byName.get('Status')!.picklistValues!.map((p) => p.value)).toEqual([
      'Open - Not Contacted',
      'Working - Contacted',
      'Closed - Converted',
      'Closed - Not Converted',
    ]);
    expect(byName.get('Lifecycle_Stage__c')!.picklistValues!.map((p) => p.value)).toContain('MQL');
    expect(byName.get('HubSpot_Contact_Id__c')).toMatchObject({
      type: 'string',
      length: 18,
      externalId: true,
    });
    expect(byName.get('IsConverted')).toMatchObject({ updateable: false, createable: false });
    expect(byName.get('ConvertedDate')).toMatchObject({ type: 'date', updateable: false });
    expect(byName.get('NumberOfEmployees')).toMatchObject({ type: 'int' });
    expect(byName.get('AnnualRevenue')).toMatchObject({ type: 'currency' });
  });

  it('describes Contact (no Company) and Opportunity stages', async () => {
    const conn = connect();
    const contact = await conn.sobject('Contact').describe();
    expect(contact.fields.some((f) => f.name === 'Company')).toBe(false);
    expect(contact.fields.find((f) => f.name === 'AccountId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
    });
    const opp = await conn.sobject('Opportunity').describe();
    expect(opp.fields.find((f) => f.name === 'StageName')!.picklistValues!.map((p) => p.value)).toContain(
      'Closed Won',
    );
    expect(opp.fields.find((f) => f.name === 'IsWon')).toMatchObject({ updateable: false });
  });
});

describe('auth through jsforce', () => {
  it('refresh-token flow: bootstrap, then a transparent refresh and replay after the session expires', async () => {
    const oauth2 = {
      loginUrl: base,
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
    };
    const bootstrap = new jsforce.Connection({
      oauth2,
      refreshToken: sim.credentials.refreshToken,
      version: '62.0',
    });
    // jsforce cannot build a REST URL before it knows the instance, so the first step is an explicit refresh.
    const token = await bootstrap.oauth2.refreshToken(sim.credentials.refreshToken);
    expect(token.instance_url).toBe(base);
    expect(token.id).toBe(`${base}/id/00D000000000001EAA/005000000000001AAA`);
    expect(token.refresh_token).toBeUndefined();
    const conn = new jsforce.Connection({
      oauth2,
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      refreshToken: sim.credentials.refreshToken,
      version: '62.0',
    });
    seedLeads(2);
    expect((await conn.query('SELECT Id FROM Lead')).totalSize).toBe(2);

    sim.expireSessions();
    const before = conn.accessToken;
    expect((await conn.query('SELECT Id FROM Lead')).totalSize).toBe(2);
    expect(conn.accessToken).not.toBe(before);
    // one 401 answer, one refresh, one replay
    expect(sim.calls().byRoute).toMatchObject({ token: 2, query: 3 });
  });

  it('refresh-token flow from a connection that has an instance URL but no token yet', async () => {
    const conn = new jsforce.Connection({
      oauth2: {
        loginUrl: base,
        clientId: sim.credentials.clientId,
        clientSecret: sim.credentials.clientSecret,
      },
      instanceUrl: base,
      refreshToken: sim.credentials.refreshToken,
      version: '62.0',
    });
    const described = await conn.describe('Lead');
    expect(described.name).toBe('Lead');
    expect(conn.userInfo?.organizationId).toBe('00D000000000001EAA');
  });

  it('a wrong refresh token fails with the OAuth error name', async () => {
    const conn = new jsforce.Connection({
      oauth2: {
        loginUrl: base,
        clientId: sim.credentials.clientId,
        clientSecret: sim.credentials.clientSecret,
      },
      version: '62.0',
    });
    await expect(conn.oauth2.refreshToken('wrong')).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'expired access/refresh token',
    });
  });

  it('password and JWT bearer grants', async () => {
    const oauth2 = {
      loginUrl: base,
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
    };
    const conn = new jsforce.Connection({ oauth2, version: '62.0' });
    await conn.login(sim.credentials.username, sim.credentials.password);
    expect(conn.instanceUrl).toBe(base);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(2);
    await expect(new jsforce.Connection({ oauth2, version: '62.0' }).login('x', 'y')).rejects.toMatchObject({
      name: 'invalid_grant',
    });

    const claims = {
      iss: sim.credentials.clientId,
      sub: sim.credentials.username,
      aud: base,
      exp: clock / 1000 + 300,
    };
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
    const assertion = `${unsigned}.${createHmac('sha256', 'k').update(unsigned).digest('base64url')}`;
    const jwtConn = new jsforce.Connection({ oauth2, version: '62.0' });
    await jwtConn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    expect((await jwtConn.describe('Contact')).name).toBe('Contact');
  });

  it('without a refresh path, an expired session surfaces as INVALID_SESSION_ID', async () => {
    const conn = connect();
    sim.expireSessions();
    await expect(conn.query('SELECT Id FROM Lead')).rejects.toMatchObject({
      errorCode: 'INVALID_SESSION_ID',
    });
  });
});

describe('API budget and faults through jsforce', () => {
  it('reports usage in Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED when spent', async () => {
    await sim.stop();
    sim = new SalesforceSimulator({ now: () => clock, dailyApiLimit: 2 });
    base = await sim.start();
    const conn = connect();
    await conn.query('SELECT Id FROM Lead');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 1, limit: 2 });
    await conn.query('SELECT Id FROM Lead');
    await expect(conn.query('SELECT Id FROM Lead')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    expect(sim.apiUsage()).toEqual({ used: 2, limit: 2 });
  });

  it('a 503 on the composite PATCH is not retried by jsforce and writes nothing', async () => {
    const [a] = seedLeads(1);
    sim.injectFault({
      route: 'composite-update',
      status: 503,
      body: [{ message: 'busy', errorCode: 'SERVER_UNAVAILABLE' }],
    });
    const conn = connect();
    await expect(
      conn.sobject('Lead').update([{ Id: a!, Title: 'X' }], { allOrNone: false }),
    ).rejects.toMatchObject({
      errorCode: 'SERVER_UNAVAILABLE',
    });
    expect(sim.calls().byRoute['composite-update']).toBe(1);
    expect(sim.get('Lead', a!)!.Title).toBeNull();
  });

  it('a dropped connection on a GET is retried by jsforce; injected latency delays the answer', async () => {
    seedLeads(1);
    sim.injectFault({ route: 'query', drop: true });
    const conn = connect();
    expect((await conn.query('SELECT Id FROM Lead')).totalSize).toBe(1);
    expect(sim.calls().byRoute.query).toBe(2);
    sim.injectFault({ route: 'describe', latencyMs: 150 });
    const started = Date.now();
    await conn.describe('Lead');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
