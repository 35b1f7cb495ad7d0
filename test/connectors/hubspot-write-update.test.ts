/**
 * HubSpot batch update over nock (API-NOTES §2.5, §2.8, §6.2–6.5): results mapped by id, bisection of
 * a whole-batch 400, clear-then-set in separate requests, string values.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/connector/errors.js';
import type { RecordPatch } from '../../src/connector/types.js';
import { batchOk, byRef, HS_ORIGIN, hubspotConnector, RATE_HEADERS, updated } from './hubspot-helpers.js';

const UPDATE = '/crm/v3/objects/contacts/batch/update';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

interface UpdateBody {
  inputs: Array<{ id: string; properties: Record<string, string> }>;
}

/** API-NOTES §2.2 (DERIVED): a bad enumeration option fails the whole batch/update. */
const INVALID_OPTION = {
  status: 'error',
  message:
    'Property values were not valid: [{"isValid":false,"message":"Nurturing was not one of the allowed options: [label: \\"New\\"\\nvalue: \\"NEW\\"\\n ...]","error":"INVALID_OPTION","name":"hs_lead_status","localizedErrorMessage":"Property \\"Lead Status\\" has an invalid option"}]',
  correlationId: '0c3f0d44-0e0a-4b35-9b55-0d4f1f0e9e12',
  category: 'VALIDATION_ERROR',
};

describe('updateRecords', () => {
  it('sends every value as a string: numbers, booleans, and null as ""', async () => {
    const scope = nock(HS_ORIGIN)
      .post(UPDATE, {
        inputs: [
          {
            id: '51',
            properties: {
              annualrevenue: '1250000.5',
              numemployees: '50',
              hs_is_unworked: 'false',
              jobtitle: '',
            },
          },
        ],
      })
      .reply(200, batchOk([updated('51', {})]), RATE_HEADERS);
    const results = await hubspotConnector().updateRecords('contacts', [
      {
        ref: 'p1',
        id: '51',
        fields: { annualrevenue: 1250000.5, numemployees: 50, hs_is_unworked: false, jobtitle: null },
      },
    ]);
    expect(scope.isDone()).toBe(true);
    expect(results).toEqual([{ ref: 'p1', ok: true, id: '51' }]);
  });

  it('maps results returned in shuffled order back to their patches by id', async () => {
    nock(HS_ORIGIN)
      .post(UPDATE)
      .reply(
        200,
        batchOk([
          updated('53', { firstname: 'C' }),
          updated('51', { firstname: 'A' }),
          updated('52', { firstname: 'B' }),
        ]),
      );
    const patches: RecordPatch[] = [
      { ref: 'ref-a', id: '51', fields: { firstname: 'A' } },
      { ref: 'ref-b', id: '52', fields: { firstname: 'B' } },
      { ref: 'ref-c', id: '53', fields: { firstname: 'C' } },
    ];
    const results = byRef(await hubspotConnector().updateRecords('contacts', patches));
    expect(results.get('ref-a')).toEqual({ ref: 'ref-a', ok: true, id: '51' });
    expect(results.get('ref-b')).toEqual({ ref: 'ref-b', ok: true, id: '52' });
    expect(results.get('ref-c')).toEqual({ ref: 'ref-c', ok: true, id: '53' });
  });

  it('isolates one invalid value by bisection: 99 written once each, 1 permanent error, 13 calls', async () => {
    const bad = '38'; // patch index 37
    const bodies: UpdateBody[] = [];
    nock(HS_ORIGIN)
      .persist()
      .post(UPDATE)
      .reply(async (request) => {
        const body = (await request.json()) as UpdateBody;
        bodies.push(body);
        if (body.inputs.some((input) => input.id === bad)) return [400, INVALID_OPTION];
        return [200, batchOk(body.inputs.reverse().map((input) => updated(input.id, input.properties)))];
      });
    const patches = Array.from({ length: 100 }, (_, i) => ({
      ref: `r${i + 1}`,
      id: String(i + 1),
      fields: { hs_lead_status: String(i + 1) === bad ? 'Nurturing' : 'OPEN' },
    }));
    const results = await hubspotConnector().updateRecords('contacts', patches);

    // 100 → 50|50 → 25|25 → 12|13 → 6|7 → 3|3 → 1|2: one failing call per level plus its good sibling.
    expect(bodies).toHaveLength(13);
    expect(bodies.every((body) => body.inputs.length <= 100)).toBe(true);
    const committed = bodies.filter((body) => !body.inputs.some((input) => input.id === bad));
    const written = committed.flatMap((body) => body.inputs.map((input) => input.id)).sort();
    expect(written).toEqual(
      patches
        .filter((p) => p.id !== bad)
        .map((p) => p.id)
        .sort(),
    );
    expect(results).toHaveLength(100);
    const failures = results.filter((result) => !result.ok);
    expect(failures).toEqual([
      {
        ref: 'r38',
        ok: false,
        error: {
          kind: 'permanent',
          code: 'VALIDATION_ERROR',
          message: INVALID_OPTION.message,
          fields: ['hs_lead_status'],
        },
      },
    ]);
  });

  it('fails every input that writes a property HubSpot does not have at once, and writes the rest', async () => {
    const MISSING_ENTRY =
      '{"isValid":false,"message":"Property \\"salesforce_lead_id\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"salesforce_lead_id","localizedErrorMessage":"Property \\"salesforce_lead_id\\" does not exist"}';
    const MISSING = {
      status: 'error',
      message:
        // HubSpot lists the error once per input that writes the property.
        `Property values were not valid: [${[MISSING_ENTRY, MISSING_ENTRY, MISSING_ENTRY].join(',')}]`,
      correlationId: '5d2f8a8e-4bb4-4f7e-9a52-2b1f1e0f6d11',
      category: 'VALIDATION_ERROR',
    };
    const bodies: UpdateBody[] = [];
    nock(HS_ORIGIN)
      .persist()
      .post(UPDATE)
      .reply(async (request) => {
        const body = (await request.json()) as UpdateBody;
        bodies.push(body);
        if (body.inputs.some((input) => 'salesforce_lead_id' in input.properties)) return [400, MISSING];
        return [200, batchOk(body.inputs.map((input) => updated(input.id, input.properties)))];
      });
    // Every other patch carries the missing property (the link id written after a create).
    const patches = Array.from({ length: 100 }, (_, i) => ({
      ref: `r${i + 1}`,
      id: String(i + 1),
      fields: i % 2 === 0 ? { salesforce_lead_id: `00Q${i}` } : { hs_lead_status: 'OPEN' },
    }));
    const results = await hubspotConnector().updateRecords('contacts', patches);

    // One refused call, then the 50 inputs without the property in one: not 199 bisecting calls.
    expect(bodies).toHaveLength(2);
    expect(bodies[1]?.inputs).toHaveLength(50);
    const failures = results.filter((result) => !result.ok);
    expect(failures).toHaveLength(50);
    expect(failures[0]).toMatchObject({
      ref: 'r1',
      error: { kind: 'permanent', fields: ['salesforce_lead_id'] },
    });
    // The dead letter quotes the property's error once, not once per input of the batch.
    expect(failures[0]?.error.message).toBe(`Property values were not valid: [${MISSING_ENTRY}]`);
    expect(results.filter((result) => result.ok)).toHaveLength(50);
    expect(results.map((result) => result.ref)).toEqual(patches.map((p) => p.ref));
  });

  it('clears clearFirst properties in one request, then writes the values in a separate later one', async () => {
    const bodies: UpdateBody[] = [];
    nock(HS_ORIGIN)
      .post(UPDATE)
      .times(2)
      .reply(async (request) => {
        const body = (await request.json()) as UpdateBody;
        bodies.push(body);
        return [200, batchOk(body.inputs.map((input) => updated(input.id, input.properties)))];
      });
    const results = await hubspotConnector().updateRecords('contacts', [
      { ref: 'back', id: '51', fields: { lifecyclestage: 'lead' }, clearFirst: ['lifecyclestage'] },
      { ref: 'plain', id: '52', fields: { firstname: 'Bo' } },
    ]);
    expect(bodies).toEqual([
      { inputs: [{ id: '51', properties: { lifecyclestage: '' } }] },
      {
        inputs: [
          { id: '51', properties: { lifecyclestage: 'lead' } },
          { id: '52', properties: { firstname: 'Bo' } },
        ],
      },
    ]);
    expect(byRef(results).get('back')).toEqual({ ref: 'back', ok: true, id: '51' });
  });

  it('reports retryable results instead of throwing once a clear was committed and the set hits a 429', async () => {
    nock(HS_ORIGIN)
      .post(UPDATE)
      .reply(200, batchOk([updated('51', { lifecyclestage: '' })]));
    nock(HS_ORIGIN).post(UPDATE).reply(
      429,
      {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      },
      { 'Retry-After': '2' },
    );
    const results = await hubspotConnector().updateRecords('contacts', [
      { ref: 'back', id: '51', fields: { lifecyclestage: 'lead' }, clearFirst: ['lifecyclestage'] },
    ]);
    expect(results).toEqual([
      {
        ref: 'back',
        ok: false,
        error: expect.objectContaining({ kind: 'retryable', code: 'TEN_SECONDLY_ROLLING' }),
      },
    ]);
  });

  it('throws the typed error when nothing was committed', async () => {
    nock(HS_ORIGIN).post(UPDATE).reply(429, {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    await expect(
      hubspotConnector().updateRecords('contacts', [{ ref: 'p', id: '51', fields: { firstname: 'A' } }]),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('writes a second patch of the same id in a later request, and at most 100 inputs per request', async () => {
    const sizes: number[] = [];
    nock(HS_ORIGIN)
      .persist()
      .post(UPDATE)
      .reply(async (request) => {
        const body = (await request.json()) as UpdateBody;
        sizes.push(body.inputs.length);
        expect(new Set(body.inputs.map((input) => input.id)).size).toBe(body.inputs.length);
        return [200, batchOk(body.inputs.map((input) => updated(input.id, input.properties)))];
      });
    const patches = Array.from({ length: 150 }, (_, i) => ({
      ref: `r${i}`,
      id: String(i + 1),
      fields: { a: 'x' },
    }));
    patches.push({ ref: 'again', id: '1', fields: { a: 'y' } });
    const results = await hubspotConnector().updateRecords('contacts', patches);
    expect(sizes).toEqual([100, 51]);
    expect(results.filter((result) => result.ok)).toHaveLength(151);
  });
});
