import { describe, expect, it } from 'vitest';
import type { WriteJob } from '../../src/pipeline/queues.js';
import { mergePatchesById } from '../../src/pipeline/write-worker.js';
import { checkFreshness, sameValue } from '../../src/sync/write-freshness.js';

describe('checkFreshness', () => {
  const write = {
    fields: { Status: 'Working - Contacted', Title: 'CTO' },
    previous: { Status: 'Open', Title: null },
  };

  it('is current while every field holds what the plan saw', () => {
    expect(checkFreshness(write, { Status: 'Open', Title: null, Company: 'Acme' })).toEqual({
      kind: 'current',
    });
  });

  it('is written when every field already holds the planned value', () => {
    expect(checkFreshness(write, { Status: 'Working - Contacted', Title: 'CTO' })).toEqual({
      kind: 'written',
    });
  });

  it('is superseded naming the fields someone changed since the plan', () => {
    expect(checkFreshness(write, { Status: 'Closed - Not Converted', Title: null })).toEqual({
      kind: 'superseded',
      fields: ['Status'],
    });
  });

  it('treats blank, null and absent as the same "no value"', () => {
    expect(checkFreshness(write, { Status: 'Open', Title: '' })).toEqual({ kind: 'current' });
    expect(checkFreshness(write, { Status: 'Open' })).toEqual({ kind: 'current' });
  });

  it('does not check fields the plan has no previous value for (link ids Lockstep sets)', () => {
    expect(
      checkFreshness({ fields: { salesforce_lead_id: '00Q1' } }, { salesforce_lead_id: '00Q2' }),
    ).toEqual({
      kind: 'current',
    });
  });

  it('a field cleared by an earlier attempt of a clear-then-set write is not someone else’s edit', () => {
    const backward = {
      fields: { lifecyclestage: 'lead' },
      previous: { lifecyclestage: 'customer' },
      clearFirst: ['lifecyclestage'],
    };
    expect(checkFreshness(backward, { lifecyclestage: '' })).toEqual({ kind: 'current' });
    expect(checkFreshness(backward, { lifecyclestage: 'opportunity' })).toEqual({
      kind: 'superseded',
      fields: ['lifecyclestage'],
    });
  });

  it('compares HubSpot strings with Salesforce numbers and booleans by their text', () => {
    expect(sameValue('42', 42)).toBe(true);
    expect(sameValue('true', true)).toBe(true);
    expect(sameValue('0', null)).toBe(false);
  });
});

describe('mergePatchesById', () => {
  const job = (fields: Record<string, unknown>, id = 'A', clearFirst?: string[]): WriteJob => ({
    op: 'update',
    system: 'hubspot',
    object: 'contacts',
    id,
    fields,
    canonical: {},
    origin: 'salesforce',
    ...(clearFirst ? { clearFirst } : {}),
  });

  it('folds writes to one record into one patch, later jobs winning field by field', () => {
    expect(
      mergePatchesById([
        job({ lifecyclestage: 'lead', jobtitle: 'CTO' }, 'A', ['lifecyclestage']),
        job({ phone: '1' }, 'B'),
        job({ lifecyclestage: 'marketingqualifiedlead' }, 'A'),
      ]),
    ).toEqual([
      {
        ref: 'A',
        id: 'A',
        fields: { lifecyclestage: 'marketingqualifiedlead', jobtitle: 'CTO' },
        clearFirst: ['lifecyclestage'],
      },
      { ref: 'B', id: 'B', fields: { phone: '1' }, clearFirst: [] },
    ]);
  });
});
