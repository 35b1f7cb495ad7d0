/**
 * The unmodified @hubspot/api-client 13.5.0 against the simulator over loopback. One Client per file:
 * its retry decorators are a process-wide singleton.
 */
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotSimulator } from '../../src/sandbox/hubspot/index.js';

const sim = new HubSpotSimulator({ rateLimits: false });
let client: Client;

beforeAll(async () => {
  const url = await sim.start();
  client = new Client({ accessToken: 'pat-sandbox', basePath: url, numberOfApiCallRetries: 1 });
});
afterAll(() => sim.stop());
beforeEach(() => sim.resetCalls());

/** The error an SDK call rejects with (ApiException: code + parsed body). */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ code: number; body: { message?: string; category?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; body: { message?: string; category?: string } };
  }
  throw new Error('expected the call to fail');
}

describe('HubSpot simulator with the real SDK', () => {
  it('searches contacts with a datetime filter, a sort and paging', async () => {
    const ids = ['a', 'b', 'c'].map((n) =>
      sim.createContact({ email: `${n}.search@example.com`, firstname: n }),
    );
    const first = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: '0' },
            {
              propertyName: 'email',
              operator: FilterOperatorEnum.ContainsToken,
              value: '*.search@example.com',
            },
          ],
        },
      ],
      // The SDK types sorts as string[], but the object form passes through unchanged.
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' } as unknown as string],
      properties: ['email', 'firstname', 'lifecyclestage'],
      limit: 2,
    });
    expect(first.total).toBe(3);
    expect(first.results.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.results[0]?.properties).toMatchObject({
      email: 'a.search@example.com',
      lifecyclestage: null,
    });
    expect(first.results[0]?.updatedAt).toBeInstanceOf(Date);
    expect(first.paging?.next?.after).toBe('2');

    const second = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'email',
              operator: FilterOperatorEnum.ContainsToken,
              value: '*.search@example.com',
            },
          ],
        },
      ],
      limit: 2,
      after: first.paging?.next?.after,
    });
    expect(second.results.map((r) => r.id)).toEqual([ids[2]]);
    expect(second.paging).toBeUndefined();
    expect(sim.calls().byRoute.search).toBe(2);
  });

  it('batch-creates, then rejects a second create of the same email with 409', async () => {
    const created = await client.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'New.One@Example.com', firstname: 'New' }, associations: [] },
        { properties: { email: 'new.two@example.com', annualrevenue: '1500000.0' }, associations: [] },
      ],
    });
    const byEmail = new Map(created.results.map((r) => [r.properties.email, r]));
    expect([...byEmail.keys()].sort()).toEqual(['new.one@example.com', 'new.two@example.com']);
    expect(byEmail.get('new.two@example.com')?.properties.annualrevenue).toBe('1500000');
    const existing = byEmail.get('new.one@example.com')?.id;

    const error = await rejection(
      client.crm.contacts.batchApi.create({
        inputs: [{ properties: { email: 'new.one@example.com' }, associations: [] }],
      }),
    );
    expect(error.code).toBe(409);
    expect(error.body.category).toBe('CONFLICT');
    expect(error.body.message).toBe(`Contact already exists. Existing ID: ${existing}`);
  });

  it('batch-reads by id and by email; missing ids come back as a 207 the SDK resolves', async () => {
    const id = sim.createContact({ email: 'reader@example.com', lifecyclestage: 'lead' });
    const read = await client.crm.contacts.batchApi.read({
      inputs: [{ id }, { id: '999999' }],
      properties: ['lifecyclestage'],
      propertiesWithHistory: ['lifecyclestage'],
    });
    expect(read.results.map((r) => r.id)).toEqual([id]);
    expect(read.results[0]?.propertiesWithHistory?.lifecyclestage?.[0]).toMatchObject({
      value: 'lead',
      sourceType: 'CRM_UI',
    });
    expect('errors' in read && read.errors?.[0]?.category).toBe('OBJECT_NOT_FOUND');
    expect('errors' in read && read.errors?.[0]?.context).toEqual({ ids: ['999999'] });

    const byEmail = await client.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: 'READER@example.com' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(byEmail.results[0]?.id).toBe(id);
  });

  it('batch-updates and upserts, attributing the writes to the integration', async () => {
    const id = sim.createContact({ email: 'upd@example.com', lifecyclestage: 'lead' });
    const updated = await client.crm.contacts.batchApi.update({
      inputs: [{ id, properties: { hs_lead_status: 'IN_PROGRESS', lifecyclestage: 'salesqualifiedlead' } }],
    });
    expect(updated.results[0]?.properties).toMatchObject({
      hs_lead_status: 'IN_PROGRESS',
      lifecyclestage: 'salesqualifiedlead',
    });
    expect(sim.getContact(id)?.history.hs_lead_status?.[0]).toMatchObject({
      sourceType: 'INTEGRATION',
      sourceId: '1234567',
    });

    const upserted = await client.crm.contacts.batchApi.upsert({
      inputs: [
        { idProperty: 'email', id: 'upd@example.com', properties: { jobtitle: 'CTO' } },
        { idProperty: 'email', id: 'fresh@example.com', properties: { firstname: 'Fresh' } },
      ],
    });
    const byId = new Map(upserted.results.map((r) => [r.id, r]));
    expect(byId.get(id)?._new).toBe(false);
    const freshId = [...byId.keys()].find((k) => k !== id) as string;
    expect(byId.get(freshId)?._new).toBe(true);
    expect(sim.getContact(freshId)?.properties.email).toBe('fresh@example.com');
  });

  it('fails a whole batch update on one invalid option, committing nothing', async () => {
    const a = sim.createContact({ email: 'va@example.com' });
    const b = sim.createContact({ email: 'vb@example.com' });
    const error = await rejection(
      client.crm.contacts.batchApi.update({
        inputs: [
          { id: a, properties: { firstname: 'Changed' } },
          { id: b, properties: { hs_lead_status: 'Nurturing' } },
        ],
      }),
    );
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(error.body.message).toMatch(/^Property values were not valid: /);
    expect(error.body.message).toContain('Nurturing');
    expect(error.body.message).toContain('hs_lead_status');
    expect(sim.getContact(a)?.properties.firstname).toBeUndefined();
  });

  it('gets and patches a single contact, with associations', async () => {
    const id = sim.createContact({ email: 'single@example.com', firstname: 'Single' });
    const deal = sim.createDeal({ dealname: 'Big one', dealstage: 'qualifiedtobuy', pipeline: 'default' });
    sim.associate(id, deal);
    const got = await client.crm.contacts.basicApi.getById(id, ['firstname', 'phone'], undefined, ['deals']);
    expect(got.properties).toMatchObject({ firstname: 'Single', phone: null, hs_object_id: id });
    expect(got.associations?.deals?.results.map((r) => r.id)).toEqual([deal]);

    const patched = await client.crm.contacts.basicApi.update(id, { properties: { phone: '+1 555 0100' } });
    expect(patched.properties.phone).toBe('+1 555 0100');
    expect(sim.getContact(id)?.properties.phone).toBe('+1 555 0100');

    const missing = await rejection(client.crm.contacts.basicApi.getById('424242'));
    expect(missing.code).toBe(404);
  });

  it('serves property definitions and the deal pipeline', async () => {
    const props = await client.crm.properties.coreApi.getAll('contacts');
    const byName = new Map(props.results.map((p) => [p.name, p]));
    expect(byName.get('hs_lead_status')?.options.map((o) => o.value)).toContain('ATTEMPTED_TO_CONTACT');
    expect(byName.get('hubspotscore')?.modificationMetadata?.readOnlyValue).toBe(true);
    expect(byName.get('salesforce_closed_won_date')?.type).toBe('date');
    expect(byName.get('numemployees')?.options.map((o) => o.value)).toEqual([
      '1-5',
      '5-25',
      '25-50',
      '50-100',
      '100-500',
      '500-1000',
      '1000+',
    ]);

    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    const stages = pipelines.results[0]?.stages ?? [];
    expect(pipelines.results[0]?.id).toBe('default');
    expect(stages.find((s) => s.id === 'closedwon')?.metadata).toEqual({
      isClosed: 'true',
      probability: '1.0',
    });
  });

  it('creates and lists v4 associations', async () => {
    const contact = sim.createContact({ email: 'assoc@example.com' });
    const deal = sim.createDeal({ dealname: 'Assoc deal' });
    const made = await client.crm.associations.v4.basicApi.createDefault('contacts', contact, 'deals', deal);
    expect(made.results[0]?.associationSpec.associationTypeId).toBe(4);
    const page = await client.crm.associations.v4.basicApi.getPage('deals', deal, 'contacts');
    expect(page.results.map((r) => String(r.toObjectId))).toEqual([contact]);
    expect(page.results[0]?.associationTypes[0]?.typeId).toBe(3);
  });

  it('answers 401 with INVALID_AUTHENTICATION for a wrong token', async () => {
    const response = await fetch(`${sim.url}/crm/v3/properties/contacts`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
  });
});
