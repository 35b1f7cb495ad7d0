/** Behaviours a second reader found wrong, pinned so they stay fixed. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { loadMappings, mappingFileNames } from '../../src/mapping/load.js';
import { planSync } from '../../src/sync/plan.js';
import { defaultMappingsDir, loadDefaultMappings } from '../helpers/mapping.js';
import { hubspotSide, salesforceSide } from '../helpers/sides.js';

let mapping: MappingConfig;
beforeAll(async () => {
  mapping = await loadDefaultMappings();
});

describe('placeholders for required Salesforce fields', () => {
  it('never copies "[not provided]" to HubSpot', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({
        email: 'form@example.com',
        lastname: null,
        company: null,
        lifecyclestage: 'lead',
      }),
      salesforce: salesforceSide({
        Email: 'form@example.com',
        LastName: '[not provided]',
        Company: '[not provided]',
        Lifecycle_Stage__c: 'Lead',
        Status: 'Open - Not Contacted',
      }),
      base: { email: 'form@example.com', lastname: null, company: null, stage: 'lead' },
    });
    expect(plan.hubspot.fields).toEqual({});
    expect(plan.salesforce.fields).toEqual({});
  });

  it('writes the placeholder, not a blank, when HubSpot clears a required field', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ email: 'a@example.com', lastname: '', lifecyclestage: 'lead' }),
      salesforce: salesforceSide({
        Email: 'a@example.com',
        LastName: 'Smith',
        Lifecycle_Stage__c: 'Lead',
        Status: 'Open - Not Contacted',
      }),
      base: { email: 'a@example.com', lastname: 'Smith', stage: 'lead' },
    });
    expect(plan.salesforce.fields).toEqual({ LastName: '[not provided]' });
  });
});

describe('forward-only stages', () => {
  it('does not overwrite a rep’s backwards edit on the side they made it, and does not propagate it', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ email: 'b@example.com', lifecyclestage: 'salesqualifiedlead' }),
      salesforce: salesforceSide({
        Email: 'b@example.com',
        Lifecycle_Stage__c: 'SQL',
        Status: 'Open - Not Contacted',
      }),
      base: { email: 'b@example.com', stage: 'sql' },
    });
    expect(plan.backwardIgnored).toBeUndefined();
    const regressed = planSync({
      mapping,
      hubspot: hubspotSide({ email: 'b@example.com', lifecyclestage: 'salesqualifiedlead' }),
      salesforce: salesforceSide({
        Email: 'b@example.com',
        Lifecycle_Stage__c: 'MQL',
        Status: 'Open - Not Contacted',
      }),
      base: { email: 'b@example.com', stage: 'sql' },
    });
    expect(regressed.backwardIgnored).toBe('salesforce');
    expect(regressed.salesforce.fields).toEqual({});
    expect(regressed.hubspot.fields).toEqual({});
  });
});

describe('people linked to a Salesforce Contact', () => {
  it('still qualify as MQL from HubSpot fields the Contact does not carry', () => {
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({
        email: 'c@example.com',
        lifecyclestage: 'lead',
        hubspotscore: '80',
        numemployees: '100-500',
        salesforce_contact_id: '003000000000001AAA',
      }),
      salesforce: salesforceSide(
        { Email: 'c@example.com', Lifecycle_Stage__c: 'Lead', HubSpot_Score__c: 80 },
        undefined,
        '003000000000001AAA',
        'Contact',
      ),
      base: { email: 'c@example.com', stage: 'lead', score: 80 },
    });
    expect(plan.transition).toMatchObject({ to: 'mql', origin: 'qualification' });
  });
});

describe('transforms and value maps', () => {
  it('truncates for Salesforce only, never the HubSpot source', () => {
    const title = 'T'.repeat(140);
    const plan = planSync({
      mapping,
      hubspot: hubspotSide({ email: 'd@example.com', jobtitle: title, lifecyclestage: 'lead' }),
      salesforce: salesforceSide({
        Email: 'd@example.com',
        Title: 'old',
        Lifecycle_Stage__c: 'Lead',
        Status: 'Open - Not Contacted',
      }),
      base: { email: 'd@example.com', title: 'old', stage: 'lead' },
    });
    expect(plan.salesforce.fields).toEqual({ Title: 'T'.repeat(128) });
    expect(plan.hubspot.fields).toEqual({});
  });

  it('with unmapped: drop, a HubSpot value Salesforce cannot hold is not reverted on the next sync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-drop-'));
    for (const name of Object.values(mappingFileNames)) {
      const text = await readFile(join(defaultMappingsDir, name), 'utf8');
      await writeFile(
        join(dir, name),
        name === mappingFileNames.fields
          ? text.replace(
              '    salesforce: { Lead: Industry }\n',
              '    salesforce: { Lead: Industry }\n    unmapped: drop\n',
            )
          : text,
      );
    }
    const dropping = await loadMappings(dir);
    const plan = planSync({
      mapping: dropping,
      hubspot: hubspotSide({ email: 'e@example.com', industry: 'ACCOUNTING', lifecyclestage: 'lead' }),
      salesforce: salesforceSide({
        Email: 'e@example.com',
        Industry: 'Technology',
        Lifecycle_Stage__c: 'Lead',
        Status: 'Open - Not Contacted',
      }),
      base: { email: 'e@example.com', industry: 'ACCOUNTING', stage: 'lead' },
    });
    expect(plan.hubspot.fields).toEqual({});
    expect(plan.salesforce.fields).toEqual({});
  });
});
