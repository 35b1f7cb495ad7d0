/**
 * HubSpot failures → typed errors (API-NOTES §2.1–2.3, §6.7–6.8), one attempt each (no SDK retry),
 * and the properties API → ObjectSchema (§2.7).
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotConnector } from '../../connectors/hubspot/index.js';
import {
  AuthError,
  BadRequestError,
  RateLimitedError,
  TransientApiError,
} from '../../src/connector/errors.js';
import { HS_BASE, HS_ORIGIN, hubspotConnector, RATE_HEADERS, recordingGate } from './hubspot-helpers.js';

const READ = '/crm/v3/objects/contacts/batch/read';
const NOW = Date.parse('2024-05-01T18:30:00.000Z');

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function readOne(gate = recordingGate()) {
  return hubspotConnector(gate, () => NOW).readByIds('contacts', ['51'], ['email']);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('errors', () => {
  it('429 TEN_SECONDLY_ROLLING with Retry-After → burst RateLimitedError with that wait, told to the gate', async () => {
    const gate = recordingGate();
    const scope = nock(HS_ORIGIN)
      .post(READ)
      .query(true)
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: '3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { ...RATE_HEADERS, 'X-HubSpot-RateLimit-Remaining': '0', 'Retry-After': '7' },
      );
    const error = await caught(readOne(gate));
    expect(scope.isDone()).toBe(true); // one attempt: the SDK did not retry
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      scope: 'burst',
      retryAfterMs: 7000,
      status: 429,
      code: 'TEN_SECONDLY_ROLLING',
    });
    expect(gate.observed.at(-1)).toEqual({
      lane: 'hubspot',
      info: expect.objectContaining({ remaining: 0, retryAfterMs: 7000 }),
    });
  });

  it('429 without Retry-After waits the interval header', async () => {
    nock(HS_ORIGIN).post(READ).query(true).reply(
      429,
      {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        policyName: 'TEN_SECONDLY_ROLLING',
      },
      RATE_HEADERS,
    );
    expect(await caught(readOne())).toMatchObject({ scope: 'burst', retryAfterMs: 10_000 });
  });

  it('the search secondly limit (no rate headers) → burst with a 1 s wait', async () => {
    nock(HS_ORIGIN).post('/crm/v3/objects/contacts/search').reply(429, {
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
    });
    const error = await caught(hubspotConnector().readChanges('contacts', null, ['email'], 200));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ scope: 'burst', retryAfterMs: 1000 });
  });

  it('429 DAILY → daily RateLimitedError that waits an hour (the portal time zone of the reset is unknown)', async () => {
    nock(HS_ORIGIN).post(READ).query(true).reply(429, {
      status: 'error',
      message: 'You have reached your daily limit.',
      errorType: 'RATE_LIMIT',
      correlationId: 'c033cdaa-2c40-4a64-ae48-b4cec88dad24',
      policyName: 'DAILY',
      requestId: '3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd',
    });
    const error = await caught(readOne());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ scope: 'daily', retryAfterMs: 3600_000 });
  });

  it('401 → AuthError after a single attempt', async () => {
    const scope = nock(HS_ORIGIN).post(READ).query(true).reply(401, {
      status: 'error',
      message: 'Authentication credentials not found.',
      correlationId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      category: 'INVALID_AUTHENTICATION',
    });
    const error = await caught(readOne());
    expect(scope.isDone()).toBe(true);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION', system: 'hubspot' });
  });

  it('403 MISSING_SCOPES → AuthError; another 4xx → BadRequestError', async () => {
    nock(HS_ORIGIN).post(READ).query(true).reply(403, {
      status: 'error',
      message: 'This app hasn’t been granted all required scopes',
      category: 'MISSING_SCOPES',
    });
    expect(await caught(readOne())).toBeInstanceOf(AuthError);
    nock(HS_ORIGIN).post(READ).query(true).reply(404, {
      status: 'error',
      message: 'Unable to infer object type from: contactz',
      category: 'OBJECT_NOT_FOUND',
    });
    expect(await caught(readOne())).toBeInstanceOf(BadRequestError);
  });

  it('5xx, an HTML proxy page and a dropped connection → TransientApiError, one attempt each', async () => {
    let calls = 0;
    nock(HS_ORIGIN)
      .persist()
      .post(READ)
      .query(true)
      .reply(() => {
        calls += 1;
        return [502, '<html>Bad Gateway</html>', { 'Content-Type': 'text/html' }];
      });
    expect(await caught(readOne())).toMatchObject({ name: 'TransientApiError', status: 502 });
    expect(calls).toBe(1);
    nock.cleanAll();
    // (nock 15.0.0 hangs on replyWithError({code}) objects; the string form drops the socket the same way)
    nock(HS_ORIGIN).post(READ).query(true).replyWithError('socket hang up');
    expect(await caught(readOne())).toMatchObject({ name: 'TransientApiError', code: 'NETWORK' });
  });

  it('a call with no answer within requestTimeoutMs → TransientApiError', async () => {
    nock(HS_ORIGIN).post(READ).query(true).delay(500).reply(200, { status: 'COMPLETE', results: [] });
    const connector = createHubSpotConnector(
      { accessToken: 'pat-na1-test', baseUrl: HS_BASE, requestTimeoutMs: 50 },
      { gate: recordingGate() },
    );
    const error = await caught(connector.readByIds('contacts', ['51'], ['email']));
    expect(error).toBeInstanceOf(TransientApiError);
    expect(error).toMatchObject({ message: expect.stringContaining('no answer within 50 ms') });
  });
});

describe('describe', () => {
  it('maps properties: readOnlyValue and calculated are not writable, enumerations restricted to options', async () => {
    nock(HS_ORIGIN)
      .get('/crm/v3/properties/contacts')
      .reply(200, {
        results: [
          {
            name: 'hs_lead_status',
            label: 'Lead Status',
            type: 'enumeration',
            fieldType: 'radio',
            options: [
              { label: 'New', value: 'NEW', displayOrder: 0, hidden: false },
              { label: 'Bad Timing', value: 'BAD_TIMING', displayOrder: 7, hidden: true },
            ],
            calculated: false,
            externalOptions: false,
            modificationMetadata: { archivable: true, readOnlyDefinition: true, readOnlyValue: false },
          },
          {
            name: 'hubspotscore',
            label: 'HubSpot Score',
            type: 'number',
            fieldType: 'number',
            calculated: false,
            modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
          },
          {
            name: 'num_unique_conversion_events',
            label: 'Unique conversions',
            type: 'number',
            fieldType: 'calculation_rollup',
            calculated: true,
            modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: false },
          },
          {
            name: 'hubspot_owner_id',
            label: 'Contact owner',
            type: 'enumeration',
            fieldType: 'select',
            options: [],
            externalOptions: true,
            modificationMetadata: { archivable: true, readOnlyDefinition: true, readOnlyValue: false },
          },
        ],
      });
    const schema = await hubspotConnector().describe('contacts');
    expect(schema).toEqual({
      object: 'contacts',
      fields: [
        {
          name: 'hs_lead_status',
          label: 'Lead Status',
          type: 'enumeration',
          writable: true,
          options: ['NEW', 'BAD_TIMING'],
          restricted: true,
        },
        { name: 'hubspotscore', label: 'HubSpot Score', type: 'number', writable: false },
        {
          name: 'num_unique_conversion_events',
          label: 'Unique conversions',
          type: 'number',
          writable: false,
        },
        { name: 'hubspot_owner_id', label: 'Contact owner', type: 'enumeration', writable: true },
      ],
    });
  });
});
