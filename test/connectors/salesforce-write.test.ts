import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/connector/errors.js';
import { API, countUnmatched, leadId, org, recordingGate, sessionConnector } from './salesforce-helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('updateRecords', () => {
  it('sends one PATCH /composite/sobjects with allOrNone false and maps a partial failure to refs by index', async () => {
    let sentBody: unknown;
    const scope = org()
      .patch(`${API}/composite/sobjects`, (body) => {
        sentBody = body;
        return true;
      })
      // HTTP 200 although two records failed; failed elements carry no id (API-NOTES §1.6).
      .reply(200, [
        { id: leadId(1), success: true, errors: [] },
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
        {
          success: false,
          errors: [
            {
              statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
              message: 'Email must be a business address',
              fields: [],
            },
          ],
        },
        {
          success: false,
          errors: [
            {
              statusCode: 'UNABLE_TO_LOCK_ROW',
              message: 'unable to obtain exclusive access to this record',
              fields: [],
            },
          ],
        },
      ]);

    const results = await sessionConnector().updateRecords('Lead', [
      { ref: 'p1', id: leadId(1), fields: { Title: 'CTO' } },
      { ref: 'p2', id: leadId(2), fields: { Status: 'Nurturing' } },
      { ref: 'p3', id: leadId(3), fields: { Email: 'me@gmail.com' } },
      { ref: 'p4', id: leadId(4), fields: { Title: 'VP' } },
    ]);

    expect(scope.isDone()).toBe(true);
    expect(sentBody).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Lead' }, id: leadId(1), Title: 'CTO' },
        { attributes: { type: 'Lead' }, id: leadId(2), Status: 'Nurturing' },
        { attributes: { type: 'Lead' }, id: leadId(3), Email: 'me@gmail.com' },
        { attributes: { type: 'Lead' }, id: leadId(4), Title: 'VP' },
      ],
    });
    expect(results).toEqual([
      { ref: 'p1', ok: true, id: leadId(1) },
      {
        ref: 'p2',
        ok: false,
        error: {
          kind: 'permanent',
          code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: 'Lead Status: bad value for restricted picklist field: Nurturing',
          fields: ['Status'],
        },
      },
      {
        ref: 'p3',
        ok: false,
        error: {
          kind: 'permanent',
          code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          message: 'Email must be a business address',
          fields: [],
        },
      },
      {
        ref: 'p4',
        ok: false,
        error: {
          kind: 'retryable',
          code: 'UNABLE_TO_LOCK_ROW',
          message: 'unable to obtain exclusive access to this record',
          fields: [],
        },
      },
    ]);
  });

  it.each([
    ['CANNOT_UPDATE_CONVERTED_LEAD', 'permanent'],
    ['INVALID_FIELD_FOR_INSERT_UPDATE', 'permanent'],
    ['STRING_TOO_LONG', 'permanent'],
    ['DUPLICATE_VALUE', 'permanent'],
    ['ENTITY_IS_DELETED', 'permanent'],
    ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'retryable'],
  ])('classifies per-record %s as %s', async (statusCode, kind) => {
    org()
      .patch(`${API}/composite/sobjects`)
      .reply(200, [{ success: false, errors: [{ statusCode, message: 'vendor text', fields: [] }] }]);
    const [result] = await sessionConnector().updateRecords('Lead', [
      { ref: 'r', id: leadId(1), fields: { Title: 'x' } },
    ]);
    expect(result).toEqual({
      ref: 'r',
      ok: false,
      error: { kind, code: statusCode, message: 'vendor text', fields: [] },
    });
  });

  it('writes clearFirst fields as null in the same record, the new value winning', async () => {
    let sentBody: unknown;
    org()
      .patch(`${API}/composite/sobjects`, (body) => {
        sentBody = body;
        return true;
      })
      .reply(200, [{ id: leadId(1), success: true, errors: [] }]);

    await sessionConnector().updateRecords('Lead', [
      {
        ref: 'r',
        id: leadId(1),
        fields: { Lifecycle_Stage__c: 'Lead', Id: 'ignored' },
        clearFirst: ['Lifecycle_Stage__c', 'Rating'],
      },
    ]);

    expect(sentBody).toEqual({
      allOrNone: false,
      records: [{ attributes: { type: 'Lead' }, id: leadId(1), Lifecycle_Stage__c: 'Lead', Rating: null }],
    });
  });

  it('splits more than 200 patches into sequential calls and keeps every ref', async () => {
    const sizes: number[] = [];
    const bodies: Array<{ records: Array<{ id: string }> }> = [];
    const scope = org()
      .patch(`${API}/composite/sobjects`, (body: { records: Array<{ id: string }> }) => {
        bodies.push(body);
        return true;
      })
      .times(2)
      .reply(() => {
        const records = bodies.at(-1)?.records ?? [];
        sizes.push(records.length);
        return [200, records.map((r) => ({ id: r.id, success: true, errors: [] }))];
      });
    const patches = Array.from({ length: 250 }, (_, i) => ({
      ref: `r${i}`,
      id: leadId(i),
      fields: { Title: 'x' },
    }));

    const results = await sessionConnector().updateRecords('Lead', patches);

    expect(scope.isDone()).toBe(true);
    expect(sizes).toEqual([200, 50]);
    expect(results.map((r) => r.ref)).toEqual(patches.map((p) => p.ref));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('turns a 503 on PATCH into a burst RateLimitedError honouring Retry-After, without a jsforce retry', async () => {
    const gate = recordingGate();
    const scope = org()
      .patch(`${API}/composite/sobjects`)
      .once()
      .reply(503, [{ message: 'Server unavailable', errorCode: 'SERVER_UNAVAILABLE' }], {
        'Retry-After': '7',
      });

    const unmatched = countUnmatched();
    const error = await sessionConnector(gate)
      .updateRecords('Lead', [{ ref: 'r', id: leadId(1), fields: { Title: 'x' } }])
      .catch((err: unknown) => err);

    unmatched.stop();
    expect(unmatched.count()).toBe(0);
    expect(scope.isDone()).toBe(true);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ scope: 'burst', retryAfterMs: 7000, status: 503, system: 'salesforce' });
    expect(gate.acquired).toEqual(['salesforce']); // one call, not replayed
    // Once from the answer's Retry-After, once from the error it became (the same wait).
    expect(gate.observed).toEqual([
      { lane: 'salesforce', info: { retryAfterMs: 7000 } },
      { lane: 'salesforce', info: { retryAfterMs: 7000 } },
    ]);
  });
});

describe('createRecords', () => {
  it('POSTs /composite/sobjects without ids and returns the new ids by ref', async () => {
    let sentBody: unknown;
    org()
      .post(`${API}/composite/sobjects`, (body) => {
        sentBody = body;
        return true;
      })
      .reply(200, [
        { id: leadId(9), success: true, errors: [] },
        {
          success: false,
          errors: [
            {
              statusCode: 'REQUIRED_FIELD_MISSING',
              message: 'Required fields are missing: [LastName]',
              fields: ['LastName'],
            },
          ],
        },
      ]);

    const results = await sessionConnector().createRecords('Lead', [
      { ref: 'hs-1', fields: { LastName: 'Doe', Company: 'Acme' } },
      { ref: 'hs-2', fields: { Company: 'Acme' } },
    ]);

    expect(sentBody).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Lead' }, LastName: 'Doe', Company: 'Acme' },
        { attributes: { type: 'Lead' }, Company: 'Acme' },
      ],
    });
    expect(results).toEqual([
      { ref: 'hs-1', ok: true, id: leadId(9) },
      {
        ref: 'hs-2',
        ok: false,
        error: {
          kind: 'permanent',
          code: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [LastName]',
          fields: ['LastName'],
        },
      },
    ]);
  });
});

describe('empty input', () => {
  it('makes no request for empty writes and lookups', async () => {
    const gate = recordingGate();
    const connector = sessionConnector(gate);
    expect(await connector.updateRecords('Lead', [])).toEqual([]);
    expect(await connector.createRecords('Lead', [])).toEqual([]);
    expect((await connector.readByIds('Lead', [], [])).size).toBe(0);
    expect(await connector.findByEmails('Lead', ['  '], [])).toEqual([]);
    expect(gate.acquired).toEqual([]);
  });
});
