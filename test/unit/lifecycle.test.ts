import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledLifecycle } from '../../src/mapping/compile.js';
import { applyQualification, deriveStage, mergeStage, planStageWrite } from '../../src/sync/lifecycle.js';
import { loadDefaultMappings } from '../helpers/mapping.js';

let lifecycle: CompiledLifecycle;
const at = {
  hubspotModifiedAt: '2024-05-01T10:00:00.000Z',
  salesforceModifiedAt: '2024-05-01T09:00:00.000Z',
};

beforeAll(async () => {
  lifecycle = (await loadDefaultMappings()).lifecycle;
});

describe('deriveStage', () => {
  it('reads HubSpot lifecyclestage', () => {
    expect(deriveStage(lifecycle, 'hubspot', { lifecyclestage: 'marketingqualifiedlead' }, undefined)).toBe(
      'mql',
    );
  });

  it('takes the furthest stage when a rep moves Lead.Status ahead of Lifecycle_Stage__c', () => {
    const raw = { Status: 'Working - Contacted', Lifecycle_Stage__c: 'MQL' };
    expect(deriveStage(lifecycle, 'salesforce', raw, 'mql', 'Lead')).toBe('sql');
  });

  it('ignores Lead-only markers on a Contact', () => {
    expect(
      deriveStage(lifecycle, 'salesforce', { Status: 'Working - Contacted' }, undefined, 'Contact'),
    ).toBeNull();
  });

  it('lets an exit win over ordered stages', () => {
    const raw = { Status: 'Closed - Not Converted', Lifecycle_Stage__c: 'MQL' };
    expect(deriveStage(lifecycle, 'salesforce', raw, 'mql', 'Lead')).toBe('disqualified');
  });

  it('keeps a disqualified person disqualified while the exit marker holds next to an old stage', () => {
    const raw = { lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'UNQUALIFIED' };
    expect(deriveStage(lifecycle, 'hubspot', raw, 'disqualified')).toBe('disqualified');
  });

  it('recognises recycling: base is the exit and an ordered stage appears', () => {
    const raw = { Status: 'Open - Not Contacted', Lifecycle_Stage__c: 'Disqualified' };
    expect(deriveStage(lifecycle, 'salesforce', raw, 'disqualified', 'Lead')).toBe('lead');
  });
});

describe('mergeStage', () => {
  it('moves forward from the side that changed', () => {
    const d = mergeStage(lifecycle, {
      hubspotStage: 'mql',
      salesforceStage: 'lead',
      baseStage: 'lead',
      ...at,
    });
    expect(d).toMatchObject({ stage: 'mql', origin: 'hubspot', conflict: false });
  });

  it('ignores a backward move by default (forward-only)', () => {
    const d = mergeStage(lifecycle, { hubspotStage: 'sql', salesforceStage: 'mql', baseStage: 'sql', ...at });
    expect(d).toMatchObject({ stage: 'sql', backwardIgnored: 'salesforce' });
  });

  it('applies a backward move when allow_backward is set', () => {
    const d = mergeStage(
      { ...lifecycle, allowBackward: true },
      { hubspotStage: 'sql', salesforceStage: 'mql', baseStage: 'sql', ...at },
    );
    expect(d).toMatchObject({ stage: 'mql', origin: 'salesforce', backwardIgnored: undefined });
  });

  it('settles a conflict by the newest change', () => {
    const d = mergeStage(lifecycle, {
      hubspotStage: 'sql',
      salesforceStage: 'disqualified',
      baseStage: 'mql',
      ...at,
    });
    expect(d).toMatchObject({ stage: 'sql', origin: 'hubspot', conflict: true });
  });

  it('on first link takes the further ordered stage without calling it a conflict', () => {
    const d = mergeStage(lifecycle, {
      hubspotStage: 'lead',
      salesforceStage: 'sql',
      baseStage: undefined,
      ...at,
    });
    expect(d).toMatchObject({ stage: 'sql', origin: 'salesforce', conflict: false });
  });
});

describe('qualification rule', () => {
  it('promotes a lead meeting score and employees to mql', () => {
    expect(
      applyQualification(lifecycle, lifecycle.qualification, 'lead', { score: 60, employees: 100 }),
    ).toBe('mql');
  });
  it('does not promote when one condition fails or the person is disqualified or already further', () => {
    expect(applyQualification(lifecycle, lifecycle.qualification, 'lead', { score: 60, employees: 10 })).toBe(
      'lead',
    );
    expect(
      applyQualification(lifecycle, lifecycle.qualification, 'disqualified', { score: 90, employees: 900 }),
    ).toBe('disqualified');
    expect(applyQualification(lifecycle, lifecycle.qualification, 'sql', { score: 90, employees: 900 })).toBe(
      'sql',
    );
  });
});

describe('planStageWrite', () => {
  it('writes Status and Lifecycle_Stage__c for SQL on a Lead, only Lifecycle_Stage__c on a Contact', () => {
    expect(
      planStageWrite(lifecycle, 'salesforce', { Lifecycle_Stage__c: 'MQL' }, 'sql', undefined, 'Lead').fields,
    ).toEqual({
      Lifecycle_Stage__c: 'SQL',
      Status: 'Working - Contacted',
    });
    expect(planStageWrite(lifecycle, 'salesforce', {}, 'sql', undefined, 'Contact').fields).toEqual({
      Lifecycle_Stage__c: 'SQL',
    });
  });

  it('skips a backward HubSpot lifecyclestage unless allowed, then clears first', () => {
    const raw = { lifecyclestage: 'salesqualifiedlead' };
    expect(planStageWrite(lifecycle, 'hubspot', raw, 'mql', undefined)).toEqual({
      fields: {},
      clearFirst: [],
    });
    expect(planStageWrite({ ...lifecycle, allowBackward: true }, 'hubspot', raw, 'mql', undefined)).toEqual({
      fields: { lifecyclestage: 'marketingqualifiedlead' },
      clearFirst: ['lifecyclestage'],
    });
  });

  it('writes the on_leave values when recycling out of an exit', () => {
    const raw = { lifecyclestage: 'lead', hs_lead_status: 'UNQUALIFIED' };
    expect(planStageWrite(lifecycle, 'hubspot', raw, 'lead', 'disqualified').fields).toEqual({
      hs_lead_status: 'OPEN',
    });
  });
});
