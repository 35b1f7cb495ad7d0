import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledField, MappingConfig } from '../../src/mapping/compile.js';
import { mergeField } from '../../src/sync/merge.js';
import { loadDefaultMappings } from '../helpers/mapping.js';

let mapping: MappingConfig;
const field = (name: string): CompiledField => mapping.fields.find((f) => f.canonical === name)!;
const times = {
  hubspotModifiedAt: '2024-05-01T10:00:00.000Z',
  salesforceModifiedAt: '2024-05-01T09:00:00.000Z',
};

beforeAll(async () => {
  mapping = await loadDefaultMappings();
});

describe('three-way field merge', () => {
  it('copies a HubSpot-only change to Salesforce', () => {
    const d = mergeField(field('title'), { hubspotRaw: 'CTO', salesforceRaw: 'VP', base: 'VP', ...times });
    expect(d.value).toBe('CTO');
    expect(d.writeSalesforce).toBe('CTO');
    expect(d.writeHubSpot).toBeUndefined();
    expect(d.conflict).toBeUndefined();
  });

  it('copies a Salesforce-only change to HubSpot as a string', () => {
    const d = mergeField(field('annualrevenue'), {
      hubspotRaw: '1000',
      salesforceRaw: 2500,
      base: 1000,
      ...times,
    });
    expect(d.value).toBe(2500);
    expect(d.writeHubSpot).toBe('2500');
    expect(d.writeSalesforce).toBeUndefined();
  });

  it('treats the echo of our own write as no change', () => {
    const d = mergeField(field('annualrevenue'), {
      hubspotRaw: '2500',
      salesforceRaw: 2500,
      base: 2500,
      ...times,
    });
    expect(d).toEqual({ value: 2500 });
  });

  it('does not see a lossy range round trip as a change (75 employees vs "50-100")', () => {
    const d = mergeField(field('employees'), { hubspotRaw: '50-100', salesforceRaw: 75, base: 75, ...times });
    expect(d).toEqual({ value: 75 });
  });

  it('settles a conflict with newest: the later-modified side wins', () => {
    const d = mergeField(field('title'), { hubspotRaw: 'CTO', salesforceRaw: 'CEO', base: 'VP', ...times });
    expect(d.value).toBe('CTO');
    expect(d.writeSalesforce).toBe('CTO');
    expect(d.conflict).toEqual({ hubspot: 'CTO', salesforce: 'CEO', winner: 'hubspot' });
  });

  it('honours prefer_salesforce_unless_blank', () => {
    const rule = { ...field('title'), conflict: 'prefer_salesforce_unless_blank' as const };
    expect(mergeField(rule, { hubspotRaw: 'CTO', salesforceRaw: 'CEO', base: 'VP', ...times }).value).toBe(
      'CEO',
    );
    expect(mergeField(rule, { hubspotRaw: 'CTO', salesforceRaw: null, base: 'VP', ...times }).value).toBe(
      'CTO',
    );
  });

  it('on first link fills a blank side instead of clearing the other', () => {
    const d = mergeField(field('phone'), {
      hubspotRaw: '',
      salesforceRaw: '+1 555',
      base: undefined,
      ...times,
    });
    expect(d.value).toBe('+1 555');
    expect(d.writeHubSpot).toBe('+1 555');
    expect(d.conflict).toBeUndefined();
  });

  it('treats equal changes on both sides as agreement, not a conflict', () => {
    const d = mergeField(field('industry'), {
      hubspotRaw: 'FINANCIAL_SERVICES',
      salesforceRaw: 'Finance',
      base: 'RETAIL',
      ...times,
    });
    expect(d).toEqual({ value: 'FINANCIAL_SERVICES' });
  });

  it('mirrors one-way engagement fields and never writes them to HubSpot', () => {
    const d = mergeField(field('score'), { hubspotRaw: '72', salesforceRaw: 10, base: 72, ...times });
    expect(d.value).toBe(72);
    expect(d.writeSalesforce).toBe(72);
    expect(d.writeHubSpot).toBeUndefined();
  });

  it('propagates a cleared value as a clear', () => {
    const d = mergeField(field('phone'), {
      hubspotRaw: '',
      salesforceRaw: '+1 555',
      base: '+1 555',
      ...times,
    });
    expect(d.value).toBeNull();
    expect(d.writeSalesforce).toBeNull();
  });
});
