import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSalesforceConnector } from '../../connectors/salesforce/index.js';
import { jwtAudience } from '../../connectors/salesforce/session.js';
import { AuthError, TransientApiError } from '../../src/connector/errors.js';
import { API, INSTANCE, LOGIN, org, queryPage, recordingGate } from './salesforce-helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const EXPIRED = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];

/** Token response shape of the refresh-token flow; instance_url may end with '/' (API-NOTES §1.1). */
function tokenResponse(accessToken: string, instanceUrl = `${INSTANCE}/`) {
  return {
    id: `${LOGIN}/id/00Dx0000000BV7z/005x00000012Q9P`,
    issued_at: '1278448384422',
    instance_url: instanceUrl,
    signature: 'SSSbLO/gBhmmyNUvN18ODBDFYHzakxOMgqYtu+hDPsc=',
    access_token: accessToken,
    token_type: 'Bearer',
    scope: 'id api refresh_token',
  };
}

const refreshConfig = {
  instanceUrl: INSTANCE,
  accessToken: 'expired-token',
  refreshToken: 'refresh-1',
  clientId: 'consumer-key',
  clientSecret: 'consumer-secret',
};

describe('session refresh on 401', () => {
  it('calls the token endpoint with the refresh token and replays the request once with the new token', async () => {
    const gate = recordingGate();
    const tokenBodies: Array<Record<string, string>> = [];
    const login = nock(LOGIN)
      .post('/services/oauth2/token', (body: Record<string, string>) => {
        tokenBodies.push(body);
        return true;
      })
      .once()
      .reply(200, tokenResponse('fresh-token'));
    const api = org()
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer expired-token')
      .once()
      .reply(401, EXPIRED)
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer fresh-token')
      .twice()
      .reply(200, queryPage([], 0));
    const connector = createSalesforceConnector(refreshConfig, { gate });

    await connector.readChanges('Lead', null, [], 10);
    // The next call goes straight out with the new token; the trailing '/' of instance_url was stripped.
    await connector.readChanges('Lead', null, [], 10);

    expect(login.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
    expect(tokenBodies).toEqual([
      {
        grant_type: 'refresh_token',
        refresh_token: 'refresh-1',
        client_id: 'consumer-key',
        client_secret: 'consumer-secret',
      },
    ]);
    expect(gate.acquired).toEqual(['salesforce', 'salesforce']); // the replay is part of the same call
  });

  it('gives up with an AuthError when the freshly minted token is rejected too (no refresh loop)', async () => {
    const login = nock(LOGIN).post('/services/oauth2/token').once().reply(200, tokenResponse('fresh-token'));
    const api = org()
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer expired-token')
      .reply(401, EXPIRED)
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer fresh-token')
      .reply(401, EXPIRED);

    const error = await createSalesforceConnector(refreshConfig, { gate: recordingGate() })
      .readChanges('Lead', null, [], 10)
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(AuthError);
    expect(login.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('maps an OAuth invalid_grant to AuthError before any API call is made', async () => {
    const gate = recordingGate();
    nock(LOGIN)
      .post('/services/oauth2/token')
      .reply(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });

    const error = await createSalesforceConnector(
      { refreshToken: 'refresh-1', clientId: 'consumer-key' },
      { gate },
    )
      .readChanges('Lead', null, [], 10)
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'invalid_grant' });
    // The vendor's words, then the fix.
    expect((error as AuthError).message).toMatch(
      /^expired access\/refresh token: the refresh token was refused/,
    );
    expect((error as AuthError).message).toContain('SALESFORCE_REFRESH_TOKEN');
    expect(gate.acquired).toEqual([]);
  });

  it('uses a rotated refresh token for the next refresh and warns once that it lives in memory only', async () => {
    const tokenBodies: Array<Record<string, string>> = [];
    nock(LOGIN)
      .post('/services/oauth2/token', (body: Record<string, string>) => {
        tokenBodies.push(body);
        return true;
      })
      .times(2)
      .reply(200, () => ({
        ...tokenResponse(`token-${tokenBodies.length}`),
        refresh_token: `refresh-${tokenBodies.length + 1}`,
      }));
    org()
      .get(`${API}/query`)
      .query(true)
      .reply(401, EXPIRED)
      .get(`${API}/query`)
      .query(true)
      .reply(200, queryPage([], 0))
      .get(`${API}/query`)
      .query(true)
      .reply(401, EXPIRED)
      .get(`${API}/query`)
      .query(true)
      .reply(200, queryPage([], 0));
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
    // Only the clock is faked: a second refresh within 10 s of a mint is refused as a loop.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const connector = createSalesforceConnector(refreshConfig, { gate: recordingGate(), logger });
      await connector.readChanges('Lead', null, [], 10);
      vi.setSystemTime(Date.now() + 60_000);
      await connector.readChanges('Lead', null, [], 10);
    } finally {
      vi.useRealTimers();
    }

    expect(tokenBodies.map((body) => body.refresh_token)).toEqual(['refresh-1', 'refresh-2']);
    expect(warnings.filter((msg) => msg.includes('rotated the refresh token'))).toHaveLength(1);
  });

  it('gives up on a token endpoint that does not answer, as a transient error, instead of hanging', async () => {
    nock(LOGIN).post('/services/oauth2/token').delay(2_000).reply(200, tokenResponse('late-token'));
    const started = Date.now();
    const error = await createSalesforceConnector(
      { refreshToken: 'refresh-1', clientId: 'consumer-key', requestTimeoutMs: 150 },
      { gate: recordingGate() },
    )
      .readChanges('Lead', null, [], 10)
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(TransientApiError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('maps a 401 without refresh credentials to AuthError', async () => {
    org().get(`${API}/query`).query(true).reply(401, EXPIRED);
    const error = await createSalesforceConnector(
      { instanceUrl: INSTANCE, accessToken: 'expired-token' },
      { gate: recordingGate() },
    )
      .readChanges('Lead', null, [], 10)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, code: 'INVALID_SESSION_ID' });
  });
});

describe('other grants', () => {
  it('logs in with the OAuth password grant and uses the returned instance', async () => {
    const sandbox = 'https://acme--uat.sandbox.my.salesforce.com';
    const tokenBodies: Array<Record<string, string>> = [];
    nock('https://test.salesforce.com')
      .post('/services/oauth2/token', (body: Record<string, string>) => {
        tokenBodies.push(body);
        return true;
      })
      .reply(200, tokenResponse('password-token', `${sandbox}/`));
    const api = nock(sandbox)
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer password-token')
      .reply(200, queryPage([], 0));

    await createSalesforceConnector(
      {
        loginUrl: 'https://test.salesforce.com/',
        username: 'sync@acme.com',
        password: 'pw+securitytoken',
        clientId: 'consumer-key',
        clientSecret: 'consumer-secret',
      },
      { gate: recordingGate() },
    ).readChanges('Lead', null, [], 10);

    expect(api.isDone()).toBe(true);
    expect(tokenBodies[0]).toMatchObject({
      grant_type: 'password',
      username: 'sync@acme.com',
      password: 'pw+securitytoken',
    });
  });

  it('mints a JWT bearer assertion signed RS256 with the key file', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-jwt-'));
    const keyFile = join(dir, 'server.key');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const tokenBodies: Array<Record<string, string>> = [];
    nock(LOGIN)
      .post('/services/oauth2/token', (body: Record<string, string>) => {
        tokenBodies.push(body);
        return true;
      })
      .reply(200, {
        access_token: 'jwt-token',
        scope: 'id api',
        instance_url: INSTANCE,
        id: `${LOGIN}/id/00D/005`,
        token_type: 'Bearer',
      });
    const api = org()
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer jwt-token')
      .reply(200, queryPage([], 0));

    try {
      await createSalesforceConnector(
        { jwtKeyFile: keyFile, clientId: 'consumer-key', username: 'sync@acme.com' },
        { gate: recordingGate() },
      ).readChanges('Lead', null, [], 10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    expect(api.isDone()).toBe(true);
    const body = tokenBodies[0] ?? {};
    expect(body.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header = '', claims = '', signature = ''] = (body.assertion ?? '').split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ iss: 'consumer-key', sub: 'sync@acme.com', aud: LOGIN });
    expect(Number(payload.exp) - Date.now() / 1000).toBeLessThanOrEqual(180);
    expect(
      verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });
});

describe('JWT audience', () => {
  it('is a Salesforce login host, also when the login URL is a My Domain', () => {
    expect(jwtAudience('https://login.salesforce.com')).toBe('https://login.salesforce.com');
    expect(jwtAudience('https://acme.my.salesforce.com/')).toBe('https://login.salesforce.com');
    expect(jwtAudience('https://test.salesforce.com')).toBe('https://test.salesforce.com');
    expect(jwtAudience('https://acme--uat.sandbox.my.salesforce.com')).toBe('https://test.salesforce.com');
    // An Experience Cloud site is its own audience.
    expect(jwtAudience('https://partners.acme.com/portal/')).toBe('https://partners.acme.com/portal');
  });
});
