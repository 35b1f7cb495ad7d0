import { describe, expect, it } from 'vitest';
import { ConfigError, connectorSettingProblems, readConfig } from '../../src/config/env.js';

describe('readConfig', () => {
  it('treats a variable set to nothing as unset, so its default applies', () => {
    const { env } = readConfig({ PORT: '', HUBSPOT_BASE_URL: '', LOCKSTEP_HUBSPOT_SEARCH_LAG_MS: '' });
    expect(env.PORT).toBe(8080);
    expect(env.HUBSPOT_BASE_URL).toBe('https://api.hubapi.com');
    expect(env.LOCKSTEP_HUBSPOT_SEARCH_LAG_MS).toBe(60_000);
  });

  it('names the variable and the rule for an invalid value', () => {
    expect(() => readConfig({ LOCKSTEP_POLL_INTERVAL_MS: 'soon' })).toThrow(ConfigError);
    expect(() => readConfig({ LOCKSTEP_POLL_INTERVAL_MS: 'soon' })).toThrow(/LOCKSTEP_POLL_INTERVAL_MS/);
  });

  it('accepts 0 for the HubSpot lag window (turned off) but not a negative one', () => {
    expect(readConfig({ LOCKSTEP_HUBSPOT_SEARCH_LAG_MS: '0' }).env.LOCKSTEP_HUBSPOT_SEARCH_LAG_MS).toBe(0);
    expect(() => readConfig({ LOCKSTEP_HUBSPOT_SEARCH_LAG_MS: '-5' })).toThrow(
      /LOCKSTEP_HUBSPOT_SEARCH_LAG_MS/,
    );
  });

  it('keeps a 10% daily API reserve per vendor by default, allows 0 (off) and refuses more than 90%', () => {
    const { env } = readConfig({});
    expect(env.LOCKSTEP_SALESFORCE_DAILY_RESERVE_PERCENT).toBe(10);
    expect(env.LOCKSTEP_HUBSPOT_DAILY_RESERVE_PERCENT).toBe(10);
    expect(
      readConfig({ LOCKSTEP_HUBSPOT_DAILY_RESERVE_PERCENT: '0' }).env.LOCKSTEP_HUBSPOT_DAILY_RESERVE_PERCENT,
    ).toBe(0);
    expect(() => readConfig({ LOCKSTEP_SALESFORCE_DAILY_RESERVE_PERCENT: '95' })).toThrow(
      /LOCKSTEP_SALESFORCE_DAILY_RESERVE_PERCENT/,
    );
  });
});

describe('connectorSettingProblems', () => {
  it('names the variable the connectors would refuse', () => {
    const badUrl = readConfig({
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-x',
      SALESFORCE_INSTANCE_URL: 'acme.my.salesforce.com',
      SALESFORCE_ACCESS_TOKEN: '00D!x',
    });
    expect(connectorSettingProblems(badUrl)).toEqual([expect.stringMatching(/^SALESFORCE_INSTANCE_URL: /)]);
    const noClient = readConfig({ HUBSPOT_ACCESS_TOKEN: 'pat-na1-x', SALESFORCE_REFRESH_TOKEN: '5Aep861' });
    expect(connectorSettingProblems(noClient)).toEqual([
      'SALESFORCE_CLIENT_ID: required for the OAuth refresh-token flow',
    ]);
  });

  it('finds nothing wrong with a ready session', () => {
    const config = readConfig({
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-x',
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SALESFORCE_ACCESS_TOKEN: '00D!x',
    });
    expect(connectorSettingProblems(config)).toEqual([]);
  });
});

describe('LOCKSTEP_REDIS_PREFIX', () => {
  it('takes a plain prefix or one Redis Cluster hash tag, and nothing that could split keys', () => {
    expect(readConfig({ LOCKSTEP_REDIS_PREFIX: 'acme-prod' }).env.LOCKSTEP_REDIS_PREFIX).toBe('acme-prod');
    expect(readConfig({ LOCKSTEP_REDIS_PREFIX: '{lockstep}' }).env.LOCKSTEP_REDIS_PREFIX).toBe('{lockstep}');
    for (const bad of ['a:b', '{a}b', 'a b', '{}'])
      expect(() => readConfig({ LOCKSTEP_REDIS_PREFIX: bad })).toThrow(/LOCKSTEP_REDIS_PREFIX/);
  });
});
