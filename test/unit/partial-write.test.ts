import { beforeAll, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { withoutRefusedFields } from '../../src/pipeline/partial-write.js';
import type { WriteJob } from '../../src/pipeline/queues.js';
import { loadDefaultMappings } from '../helpers/mapping.js';

let mapping: MappingConfig;
beforeAll(async () => {
  mapping = await loadDefaultMappings();
});

const leadWrite: WriteJob = {
  op: 'update',
  system: 'salesforce',
  object: 'Lead',
  id: '00Q000000000001AAA',
  fields: { Industry: 'AEROSPACE', Lifecycle_Stage__c: 'MQL', Title: 'CTO' },
  previous: { Industry: 'Banking', Lifecycle_Stage__c: 'Lead', Title: null },
  canonical: { industry: 'AEROSPACE', stage: 'mql', title: 'CTO' },
  person: '51',
  origin: 'hubspot',
};

describe('withoutRefusedFields', () => {
  it('keeps the fields the target accepted, and only their canonical values', () => {
    expect(withoutRefusedFields(mapping, leadWrite, ['Industry'])).toEqual({
      ...leadWrite,
      fields: { Lifecycle_Stage__c: 'MQL', Title: 'CTO' },
      previous: { Lifecycle_Stage__c: 'Lead', Title: null },
      canonical: { stage: 'mql', title: 'CTO' },
    });
  });

  it('drops the stage from the canonical values when one of its marker fields was refused', () => {
    const split = withoutRefusedFields(
      mapping,
      { ...leadWrite, fields: { ...leadWrite.fields, Status: 'Working - Contacted' } },
      ['Status'],
    );
    expect(split?.fields).toEqual({ Industry: 'AEROSPACE', Lifecycle_Stage__c: 'MQL', Title: 'CTO' });
    expect(split?.canonical).toEqual({ industry: 'AEROSPACE', title: 'CTO' });
  });

  it('leaves nothing to split when every field, or no named field, was refused', () => {
    expect(
      withoutRefusedFields(mapping, leadWrite, ['Industry', 'Lifecycle_Stage__c', 'Title']),
    ).toBeUndefined();
    expect(withoutRefusedFields(mapping, leadWrite, [])).toBeUndefined();
    expect(withoutRefusedFields(mapping, { ...leadWrite, op: 'create' }, ['Industry'])).toBeUndefined();
  });

  it('maps HubSpot property names the same way', () => {
    const hubspotWrite: WriteJob = {
      op: 'update',
      system: 'hubspot',
      object: 'contacts',
      id: '51',
      fields: { industry: 'Space', lifecyclestage: 'salesqualifiedlead' },
      canonical: { industry: 'Space', stage: 'sql' },
      person: '51',
      origin: 'salesforce',
    };
    expect(withoutRefusedFields(mapping, hubspotWrite, ['lifecyclestage'])?.canonical).toEqual({
      industry: 'Space',
    });
  });
});
