import { beforeAll, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { holdsBase } from '../../src/sync/echo.js';
import { planSync } from '../../src/sync/plan.js';
import { loadDefaultMappings } from '../helpers/mapping.js';
import { hubspotSide, salesforceSide } from '../helpers/sides.js';

let mapping: MappingConfig;
beforeAll(async () => {
  mapping = await loadDefaultMappings();
});

const hsRaw = { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', lifecyclestage: 'lead' };
const sfRaw = {
  Email: 'ada@example.com',
  FirstName: 'Ada',
  LastName: 'Lovelace',
  Status: 'Open - Not Contacted',
  Lifecycle_Stage__c: 'Lead',
};
const lead = { object: 'Lead', id: '00Q000000000001AAA' };
const contact = { object: 'contacts', id: '51' };

/** The base a sync of two agreeing sides leaves behind. */
function agreedBase() {
  const plan = planSync({
    mapping,
    hubspot: hubspotSide(hsRaw),
    salesforce: salesforceSide(sfRaw),
    base: null,
  });
  expect(Object.keys(plan.hubspot.fields)).toEqual([]);
  expect(Object.keys(plan.salesforce.fields)).toEqual([]);
  return plan.settled;
}

describe('holdsBase (the poller drops echoes)', () => {
  it('a HubSpot contact or Salesforce lead holding exactly the base needs no sync', () => {
    const base = agreedBase();
    expect(holdsBase(mapping, hubspotSide(hsRaw), base, lead)).toBe(true);
    expect(holdsBase(mapping, salesforceSide(sfRaw), base, contact)).toBe(true);
  });

  it('an edit to a field no mapping covers needs no sync', () => {
    const base = agreedBase();
    expect(holdsBase(mapping, hubspotSide({ ...hsRaw, hs_analytics_num_visits: '7' }), base, lead)).toBe(
      true,
    );
  });

  it('a changed mapped field needs a sync', () => {
    const base = agreedBase();
    expect(holdsBase(mapping, hubspotSide({ ...hsRaw, firstname: 'Augusta' }), base, lead)).toBe(false);
    expect(holdsBase(mapping, salesforceSide({ ...sfRaw, LastName: 'King' }), base, contact)).toBe(false);
  });

  it('a stage change needs a sync, forwards or backwards', () => {
    const base = agreedBase();
    const mql = hubspotSide({ ...hsRaw, lifecyclestage: 'marketingqualifiedlead' });
    expect(holdsBase(mapping, mql, base, lead)).toBe(false);
    const working = salesforceSide({ ...sfRaw, Status: 'Working - Contacted' });
    expect(holdsBase(mapping, working, base, contact)).toBe(false);
    expect(holdsBase(mapping, hubspotSide({ ...hsRaw, lifecyclestage: 'subscriber' }), base, lead)).toBe(
      false,
    );
  });

  it('needs a sync when there is no base, or a link id is missing or wrong', () => {
    const base = agreedBase();
    expect(holdsBase(mapping, hubspotSide(hsRaw), null, lead)).toBe(false);
    expect(holdsBase(mapping, hubspotSide({ ...hsRaw, salesforce_lead_id: null }), base, lead)).toBe(false);
    expect(holdsBase(mapping, salesforceSide(sfRaw), base, { object: 'contacts', id: '99' })).toBe(false);
  });

  it('needs a sync when the base lacks a field the record holds (never agreed yet)', () => {
    const { firstname: _dropped, ...partial } = agreedBase();
    expect(holdsBase(mapping, hubspotSide(hsRaw), partial, lead)).toBe(false);
  });

  it('a converted lead always goes to the sync, which handles conversion', () => {
    const base = agreedBase();
    expect(holdsBase(mapping, salesforceSide({ ...sfRaw, IsConverted: true }), base, contact)).toBe(false);
  });
});
