import { beforeAll, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { planCreate } from '../../src/sync/create.js';
import { resolveIdentity } from '../../src/sync/identity.js';
import { planSync } from '../../src/sync/plan.js';
import { loadDefaultMappings } from '../helpers/mapping.js';
import { hubspotSide, salesforceSide } from '../helpers/sides.js';

let mapping: MappingConfig;
beforeAll(async () => {
  mapping = await loadDefaultMappings();
});

const person = { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' };
const sfPerson = { Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace' };
const baseOf = (stage: string) => ({
  email: 'ada@example.com',
  firstname: 'Ada',
  lastname: 'Lovelace',
  stage,
});

describe('planSync', () => {
  it('HubSpot MQL becomes Lifecycle_Stage__c MQL on the Lead and nothing is written back', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ ...person, lifecyclestage: 'marketingqualifiedlead' }),
      salesforce: salesforceSide({ ...sfPerson, Lifecycle_Stage__c: 'Lead', Status: 'Open - Not Contacted' }),
      base: baseOf('lead'),
    });
    expect(plan.salesforce.fields).toEqual({ Lifecycle_Stage__c: 'MQL' });
    expect(plan.salesforce.canonical).toEqual({ stage: 'mql' });
    expect(plan.hubspot.fields).toEqual({});
    expect(plan.transition).toEqual({ from: 'lead', to: 'mql', origin: 'hubspot' });
  });

  it('a rep setting Working - Contacted becomes SQL in HubSpot and aligns Lifecycle_Stage__c', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ ...person, lifecyclestage: 'marketingqualifiedlead' }),
      salesforce: salesforceSide({ ...sfPerson, Lifecycle_Stage__c: 'MQL', Status: 'Working - Contacted' }),
      base: baseOf('mql'),
    });
    expect(plan.hubspot.fields).toEqual({ lifecyclestage: 'salesqualifiedlead' });
    expect(plan.salesforce.fields).toEqual({ Lifecycle_Stage__c: 'SQL' });
    expect(plan.transition?.origin).toBe('salesforce');
  });

  it('plans no write at all for the echo of a completed sync', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ ...person, lifecyclestage: 'salesqualifiedlead' }),
      salesforce: salesforceSide({ ...sfPerson, Lifecycle_Stage__c: 'SQL', Status: 'Working - Contacted' }),
      base: baseOf('sql'),
    });
    expect(plan.hubspot.fields).toEqual({});
    expect(plan.salesforce.fields).toEqual({});
    expect(plan.transition).toBeUndefined();
    expect(plan.settled).toMatchObject({ stage: 'sql', email: 'ada@example.com' });
  });

  it('writes the link ids when they are missing', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ ...person, lifecyclestage: 'lead', salesforce_lead_id: null }),
      salesforce: salesforceSide({
        ...sfPerson,
        Lifecycle_Stage__c: 'Lead',
        Status: 'Open - Not Contacted',
        HubSpot_Contact_Id__c: null,
      }),
      base: baseOf('lead'),
    });
    expect(plan.hubspot.fields).toEqual({ salesforce_lead_id: '00Q000000000001AAA' });
    expect(plan.salesforce.fields).toEqual({ HubSpot_Contact_Id__c: '51' });
  });

  it('promotes by the qualification rule when score and employees qualify', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({
        ...person,
        lifecyclestage: 'lead',
        hubspotscore: '80',
        numemployees: '100-500',
      }),
      salesforce: salesforceSide({
        ...sfPerson,
        Lifecycle_Stage__c: 'Lead',
        NumberOfEmployees: 100,
        HubSpot_Score__c: 80,
      }),
      base: { ...baseOf('lead'), score: 80, employees: 100 },
    });
    expect(plan.transition).toEqual({ from: 'lead', to: 'mql', origin: 'qualification' });
    expect(plan.hubspot.fields).toEqual({ lifecyclestage: 'marketingqualifiedlead' });
    expect(plan.salesforce.fields).toEqual({ Lifecycle_Stage__c: 'MQL' });
  });

  it('reports a both-sides conflict with the winner', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide(
        { ...person, jobtitle: 'CTO', lifecyclestage: 'lead' },
        '2024-05-01T08:00:00.000Z',
      ),
      salesforce: salesforceSide(
        { ...sfPerson, Title: 'CEO', Lifecycle_Stage__c: 'Lead' },
        '2024-05-01T09:00:00.000Z',
      ),
      base: { ...baseOf('lead'), title: 'VP' },
    });
    expect(plan.conflicts).toEqual([
      { field: 'title', hubspot: 'CTO', salesforce: 'CEO', winner: 'salesforce' },
    ]);
    expect(plan.hubspot.fields).toEqual({ jobtitle: 'CEO' });
  });
});

describe('planCreate', () => {
  it('creates a Lead with required defaults, the stage and the HubSpot id', () => {
    const plan = planCreate(
      mapping,
      hubspotSide(
        { email: 'new@example.com', lifecyclestage: 'marketingqualifiedlead', hubspotscore: '12' },
        undefined,
        '77',
      ),
    );
    expect(plan).toMatchObject({ system: 'salesforce', object: 'Lead' });
    expect(plan.fields).toMatchObject({
      Email: 'new@example.com',
      LastName: '[not provided]',
      Company: '[not provided]',
      Lifecycle_Stage__c: 'MQL',
      HubSpot_Contact_Id__c: '77',
      HubSpot_Score__c: 12,
    });
    expect(plan.canonical.stage).toBe('mql');
  });

  it('creates a HubSpot contact from a Lead with the lead id and stage', () => {
    const plan = planCreate(
      mapping,
      salesforceSide({ ...sfPerson, Status: 'Working - Contacted', HubSpot_Score__c: 5 }, undefined, '00Q9'),
    );
    expect(plan.fields).toEqual({
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      lifecyclestage: 'salesqualifiedlead',
      salesforce_lead_id: '00Q9',
    });
  });
});

describe('resolveIdentity', () => {
  const base = { crosswalk: undefined, storedLink: undefined, email: 'ada@example.com', selfId: '51' };
  it('prefers the crosswalk, then the stored link, then a unique email match', () => {
    expect(
      resolveIdentity({ ...base, crosswalk: { object: 'Lead', id: 'A' }, candidates: [] }),
    ).toMatchObject({ kind: 'linked', via: 'crosswalk' });
    expect(
      resolveIdentity({ ...base, storedLink: { object: 'Lead', id: 'B' }, candidates: [] }),
    ).toMatchObject({ kind: 'linked', via: 'stored-link' });
    expect(
      resolveIdentity({ ...base, candidates: [{ object: 'Lead', id: 'C', linkedTo: undefined }] }),
    ).toEqual({
      kind: 'linked',
      other: { object: 'Lead', id: 'C' },
      via: 'email',
    });
  });
  it('never guesses between two candidates and names both ids', () => {
    const d = resolveIdentity({
      ...base,
      candidates: [
        { object: 'Lead', id: 'A', linkedTo: undefined },
        { object: 'Contact', id: 'B', linkedTo: undefined },
      ],
    });
    expect(d.kind).toBe('ambiguous');
    expect(d.kind === 'ambiguous' && d.reason).toContain('Lead A, Contact B');
  });
  it('refuses a candidate already linked to someone else and creates when nobody matches', () => {
    expect(resolveIdentity({ ...base, candidates: [{ object: 'Lead', id: 'A', linkedTo: '99' }] }).kind).toBe(
      'ambiguous',
    );
    expect(resolveIdentity({ ...base, candidates: [] }).kind).toBe('create');
  });
});
