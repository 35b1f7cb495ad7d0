/** Pure parts of the Salesforce connector: config, SOQL text, limit header, Retry-After. No HTTP. */
import { describe, expect, it } from 'vitest';
import {
  salesforceConfigFromEnv,
  salesforceConfigSchema,
  tokenGrantOf,
} from '../../connectors/salesforce/config.js';
import { httpError } from '../../connectors/salesforce/errors.js';
import { parseLimitInfo } from '../../connectors/salesforce/limit-info.js';
import { changesQuery, chunkValues, soqlDateTime, soqlString } from '../../connectors/salesforce/soql.js';
import { parseRetryAfterMs } from '../../connectors/shared/retry-after.js';
import {
  AuthError,
  BadRequestError,
  RateLimitedError,
  TransientApiError,
} from '../../src/connector/errors.js';

describe('config', () => {
  it('applies defaults, strips a trailing slash and picks the refresh-token grant', () => {
    const config = salesforceConfigSchema.parse({
      instanceUrl: 'https://acme.my.salesforce.com/',
      accessToken: 'tok',
      refreshToken: 'rt',
      clientId: 'cid',
    });
    expect(config).toMatchObject({
      instanceUrl: 'https://acme.my.salesforce.com',
      loginUrl: 'https://login.salesforce.com',
      apiVersion: '62.0',
      callOptionsClient: 'lockstep',
    });
    expect(tokenGrantOf(config)).toEqual({ kind: 'refresh-token', refreshToken: 'rt' });
  });

  it('reads the documented env vars and treats empty ones as unset', () => {
    const config = salesforceConfigSchema.parse(
      salesforceConfigFromEnv({
        SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
        SALESFORCE_ACCESS_TOKEN: 'tok',
        SALESFORCE_API_VERSION: '',
        SALESFORCE_LOGIN_URL: '',
        SALESFORCE_USERNAME: '',
      }),
    );
    expect(config).toMatchObject({
      apiVersion: '62.0',
      loginUrl: 'https://login.salesforce.com',
      username: undefined,
    });
    expect(tokenGrantOf(config)).toEqual({ kind: 'none' });
  });

  it.each([
    [{}, 'no Salesforce credentials'],
    [{ username: 'u', password: 'p' }, 'OAuth username-password flow'],
    [{ jwtKeyFile: '/k.pem', clientId: 'cid' }, 'JWT subject'],
    [{ instanceUrl: 'https://acme.lightning.force.com', accessToken: 't' }, 'My Domain URL'],
    [
      { instanceUrl: 'https://acme.my.salesforce.com', accessToken: 't', apiVersion: '62' },
      'REST API version',
    ],
  ])('rejects %j naming the problem', (input, message) => {
    const result = salesforceConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});

describe('SOQL builders', () => {
  it('escapes backslash, quote and control characters in string literals', () => {
    expect(soqlString("it's")).toBe("'it\\'s'");
    expect(soqlString('a\\b')).toBe("'a\\\\b'");
    expect(soqlString("\\'")).toBe("'\\\\\\''");
    expect(soqlString('line\nbreak')).toBe("'line\\nbreak'");
  });

  it('formats datetime literals unquoted in whole seconds, flooring (re-read rather than skip)', () => {
    expect(soqlDateTime('2024-05-01T10:40:00.000Z')).toBe('2024-05-01T10:40:00Z');
    expect(soqlDateTime('2024-05-01T12:40:00.999+02:00')).toBe('2024-05-01T10:40:00Z');
    expect(() => soqlDateTime('yesterday')).toThrow(BadRequestError);
  });

  it('builds the compound-cursor query and never selects a field twice', () => {
    expect(
      changesQuery(
        'Lead',
        { modifiedAt: '2024-05-01T10:40:00.000Z', id: '00Q5e00000AAAA1EAA' },
        ['id', 'Email'],
        200,
      ),
    ).toBe(
      'SELECT Id, SystemModstamp, Email FROM Lead WHERE SystemModstamp > 2024-05-01T10:40:00Z OR ' +
        "(SystemModstamp = 2024-05-01T10:40:00Z AND Id > '00Q5e00000AAAA1EAA') ORDER BY SystemModstamp ASC, Id ASC LIMIT 200",
    );
    expect(() => changesQuery('Lead; DELETE', null, [], 1)).toThrow(BadRequestError);
    expect(() => changesQuery('Lead', null, [], 0)).toThrow(BadRequestError);
  });

  it('chunks by count and by characters', () => {
    expect(chunkValues(['a', 'b', 'c'], 2).map((c) => c.length)).toEqual([2, 1]);
    // Each literal costs its quoted length plus ", ": 'aaaa' → 6 + 2 = 8.
    expect(chunkValues(['aaaa', 'bbbb', 'cccc'], 100, 16).map((c) => c.length)).toEqual([2, 1]);
  });
});

describe('headers', () => {
  it('reads api-usage from Sforce-Limit-Info, ignoring per-app usage', () => {
    expect(
      parseLimitInfo('api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)'),
    ).toEqual({
      dailyUsed: 25,
      dailyLimit: 5000,
    });
    expect(parseLimitInfo('per-app-api-usage=17/250(appName=x)')).toBeUndefined();
    expect(parseLimitInfo(undefined)).toBeUndefined();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2024-05-01T10:40:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Wed, 01 May 2024 10:40:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 01 May 2024 10:39:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('HTTP status classification', () => {
  it.each([
    [420, undefined, RateLimitedError],
    [502, undefined, TransientApiError],
    [504, undefined, TransientApiError],
    [403, 'INSUFFICIENT_ACCESS', AuthError],
    [400, 'INVALID_QUERY_LOCATOR', TransientApiError],
    [414, undefined, BadRequestError],
  ])('%i %s → %o', (status, code, errorClass) => {
    expect(httpError(status, code, 'vendor text')).toBeInstanceOf(errorClass);
  });
});
