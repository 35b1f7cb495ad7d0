/**
 * HubSpot batch create over nock (API-NOTES §2.5, §6.3): a 409 CONFLICT for the whole batch is
 * bisected down to the duplicate, and results are matched to inputs without relying on their order.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchOk, byRef, HS_ORIGIN, hubspotConnector, updated } from './hubspot-helpers.js';

const CREATE = '/crm/v3/objects/contacts/batch/create';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

interface CreateBody {
  inputs: Array<{ properties: Record<string, string>; objectWriteTraceId?: string; associations: unknown[] }>;
}

describe('createRecords', () => {
  it('gives the duplicate of an existing contact a permanent CONFLICT by bisection and creates the rest', async () => {
    const bodies: CreateBody[] = [];
    const createdIdByEmail = new Map<string, string>();
    let nextId = 900;
    nock(HS_ORIGIN)
      .persist()
      .post(CREATE)
      .reply(async (request) => {
        const body = (await request.json()) as CreateBody;
        bodies.push(body);
        if (body.inputs.some((input) => input.properties.email === 'dup@example.com')) {
          return [
            409,
            {
              status: 'error',
              message: 'Contact already exists. Existing ID: 123',
              correlationId: 'c0ffee00-0000-4000-8000-000000000000',
              category: 'CONFLICT',
            },
          ];
        }
        const results = body.inputs.map((input) => {
          const id = String(nextId++);
          createdIdByEmail.set(input.properties.email ?? '', id);
          return { ...updated(id, input.properties), objectWriteTraceId: input.objectWriteTraceId };
        });
        return [201, batchOk(results.reverse())];
      });
    const emails = ['a@example.com', 'b@example.com', 'dup@example.com', 'c@example.com'];
    const results = byRef(
      await hubspotConnector().createRecords(
        'contacts',
        emails.map((email) => ({ ref: email, fields: { email, hubspotscore_fake: 3 } })),
      ),
    );
    expect(results.get('dup@example.com')).toEqual({
      ref: 'dup@example.com',
      ok: false,
      error: {
        kind: 'permanent',
        code: 'CONFLICT',
        message: 'Contact already exists. Existing ID: 123',
        fields: [],
      },
    });
    // Each created record is matched to its own input through objectWriteTraceId, whatever the order.
    for (const email of emails.filter((e) => e !== 'dup@example.com')) {
      expect(results.get(email)).toEqual({ ref: email, ok: true, id: createdIdByEmail.get(email) });
    }
    expect(createdIdByEmail.size).toBe(3);
    expect(bodies[0]?.inputs[0]).toEqual({
      properties: { email: 'a@example.com', hubspotscore_fake: '3' },
      associations: [],
      objectWriteTraceId: '0',
    });
  });

  it('matches results without objectWriteTraceId by their properties', async () => {
    nock(HS_ORIGIN)
      .post(CREATE)
      .reply(
        201,
        batchOk([updated('702', { email: 'b@example.com' }), updated('701', { email: 'a@example.com' })]),
      );
    const results = await hubspotConnector().createRecords('contacts', [
      { ref: 'A', fields: { email: 'A@example.com' } },
      { ref: 'B', fields: { email: 'b@example.com' } },
    ]);
    expect(byRef(results).get('A')).toEqual({ ref: 'A', ok: true, id: '701' });
    expect(byRef(results).get('B')).toEqual({ ref: 'B', ok: true, id: '702' });
  });
});
