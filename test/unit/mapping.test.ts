import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DO_NOT_WRITE } from '../../src/mapping/codecs.js';
import { loadMappings, mappingFileNames } from '../../src/mapping/load.js';
import { MappingError } from '../../src/mapping/mapping-error.js';
import { defaultMappingsDir, loadDefaultMappings } from '../helpers/mapping.js';

async function copyWith(
  file: keyof typeof mappingFileNames,
  edit: (text: string) => string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-mappings-'));
  for (const [key, name] of Object.entries(mappingFileNames)) {
    const text = await readFile(join(defaultMappingsDir, name), 'utf8');
    await writeFile(join(dir, name), key === file ? edit(text) : text);
  }
  return dir;
}

async function lineContaining(
  dir: string,
  file: keyof typeof mappingFileNames,
  needle: string,
): Promise<number> {
  const lines = (await readFile(join(dir, mappingFileNames[file]), 'utf8')).split('\n');
  return lines.findIndex((line) => line.includes(needle)) + 1;
}

async function problemsOf(dir: string) {
  const error = await loadMappings(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MappingError);
  return (error as MappingError).problems;
}

describe('default mappings', () => {
  it('load and compile the DESIGN.md vocabulary in order', async () => {
    const mapping = await loadDefaultMappings();
    expect(mapping.lifecycle.ordered.map((s) => s.name)).toEqual([
      'subscriber',
      'lead',
      'mql',
      'sql',
      'opportunity',
      'customer',
    ]);
    expect(mapping.lifecycle.exits.map((s) => s.name)).toEqual(['disqualified']);
    expect(mapping.lifecycle.qualification?.all).toHaveLength(2);
    expect(mapping.fields.find((f) => f.canonical === 'company')?.salesforce).toEqual({ Lead: 'Company' });
    expect(mapping.fields.find((f) => f.canonical === 'title')?.salesforce).toEqual({
      Lead: 'Title',
      Contact: 'Title',
    });
    expect(mapping.identity.salesforceDefaults.Lead).toEqual({
      LastName: '[not provided]',
      Company: '[not provided]',
    });
  });

  it('reads HubSpot employee ranges as their lower bound and writes the range that holds a number', async () => {
    const employees = (await loadDefaultMappings()).fields.find((f) => f.canonical === 'employees')!;
    expect(employees.hubspotCodec.decode('50-100')).toBe(50);
    expect(employees.hubspotCodec.decode('1000+')).toBe(1000);
    expect(employees.hubspotCodec.encode(75)).toBe('50-100');
    expect(employees.hubspotCodec.encode(25)).toBe('25-50');
    expect(employees.hubspotCodec.encode(5000)).toBe('1000+');
    expect(employees.salesforceCodec.encode(75)).toBe(75);
  });

  it('translates picklist values through value_map and passes unmapped ones unchanged', async () => {
    const industry = (await loadDefaultMappings()).fields.find((f) => f.canonical === 'industry')!;
    expect(industry.salesforceCodec.encode('COMPUTER_SOFTWARE')).toBe('Technology');
    expect(industry.salesforceCodec.decode('Technology')).toBe('COMPUTER_SOFTWARE');
    expect(industry.salesforceCodec.encode('GAMBLING_CASINOS')).toBe('GAMBLING_CASINOS');
  });

  it('compares Salesforce datetimes at whole-second precision', async () => {
    const open = (await loadDefaultMappings()).fields.find((f) => f.canonical === 'last_email_open')!;
    expect(open.salesforceCodec.encode('2024-05-01T10:40:00.123Z')).toBe('2024-05-01T10:40:00.000Z');
    expect(open.salesforceCodec.decode('2024-05-01T10:40:00.000+0000')).toBe('2024-05-01T10:40:00.000Z');
  });

  it('normalises HubSpot strings and Salesforce datetimes to the same canonical value', async () => {
    const mapping = await loadDefaultMappings();
    const open = mapping.fields.find((f) => f.canonical === 'last_email_open')!;
    expect(open.hubspotCodec.decode('2024-05-01T10:40:00.000Z')).toBe(
      open.salesforceCodec.decode('2024-05-01T10:40:00.000+0000'),
    );
    expect(open.hubspotCodec.decode('1714560000000')).toBe('2024-05-01T10:40:00.000Z');
    const score = mapping.fields.find((f) => f.canonical === 'score')!;
    expect(score.hubspotCodec.decode('72')).toBe(72);
    expect(score.hubspotCodec.encode(72)).toBe('72');
    expect(score.hubspotCodec.encode(null)).toBe('');
  });

  it('applies transforms when writing (lowercase email, truncated title)', async () => {
    const mapping = await loadDefaultMappings();
    expect(
      mapping.fields.find((f) => f.canonical === 'email')!.salesforceCodec.encode(' Ada@Example.COM '),
    ).toBe('ada@example.com');
    const long = 'x'.repeat(200);
    expect(mapping.fields.find((f) => f.canonical === 'title')!.salesforceCodec.encode(long)).toHaveLength(
      128,
    );
  });
});

describe('mapping validation', () => {
  it('names file, line, key path and the allowed values for a bad conflict rule', async () => {
    const dir = await copyWith('fields', (t) =>
      t.replace(
        'salesforce: FirstName, sync: both, conflict: newest',
        'salesforce: FirstName, sync: both, conflict: loudest',
      ),
    );
    const [problem] = await problemsOf(dir);
    expect(problem!.file).toMatch(/contact-fields\.yaml$/);
    expect(problem!.path).toBe('fields[0].conflict');
    expect(problem!.line).toBe(await lineContaining(dir, 'fields', 'conflict: loudest'));
    expect(problem!.message).toContain('"prefer_hubspot"');
  });

  it('reports an unknown canonical field in the qualification rule with its line', async () => {
    const dir = await copyWith('lifecycle', (t) => t.replace('{ field: score,', '{ field: scroe,'));
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('qualification.all[0].field');
    expect(problems[0]!.message).toContain('unknown canonical field "scroe"');
    expect(problems[0]!.line).toBe(await lineContaining(dir, 'lifecycle', 'field: scroe'));
  });

  it('scopes a Lead./Contact. field in on_leave to its object, and names an unknown object', async () => {
    const scoped = await copyWith('lifecycle', (t) =>
      t.replace(
        '      hubspot: { hs_lead_status: OPEN }',
        "      hubspot: { hs_lead_status: OPEN }\n      salesforce: { Lead.Status: 'Open - Not Contacted' }",
      ),
    );
    const mapping = await loadMappings(scoped);
    expect(mapping.lifecycle.exits[0]!.onLeave.salesforce).toEqual([
      { field: 'Status', value: 'Open - Not Contacted', object: 'Lead' },
    ]);

    const wrong = await copyWith('lifecycle', (t) =>
      t.replace(
        '      hubspot: { hs_lead_status: OPEN }',
        "      hubspot: { hs_lead_status: OPEN }\n      salesforce: { Leed.Status: 'Open - Not Contacted' }",
      ),
    );
    const problems = await problemsOf(wrong);
    expect(problems.map((p) => p.path)).toEqual(['exits[0].on_leave.salesforce.Leed.Status']);
    expect(problems[0]!.message).toContain('use Lead.<Field> or Contact.<Field>');
  });

  it('names an unknown object under salesforce_defaults, and a create target that is not synced', async () => {
    const dir = await copyWith('identity', (t) => t.replace('  Lead:', '  Leads:'));
    const problems = await problemsOf(dir);
    expect(problems.map((p) => p.path)).toEqual(['salesforce_defaults.Leads']);
    expect(problems[0]!.message).toContain('use Lead or Contact');

    const contactsOff = await copyWith('fields', (t) =>
      t.replace('salesforce_objects: [Lead, Contact]', 'salesforce_objects: [Contact]'),
    );
    const offProblems = await problemsOf(contactsOff);
    expect(offProblems.map((p) => p.path)).toContain('create_in_salesforce_as');
  });

  it('rejects one value marking two stages', async () => {
    const dir = await copyWith('lifecycle', (t) =>
      t.replace('{ Lifecycle_Stage__c: MQL }', '{ Lifecycle_Stage__c: SQL }'),
    );
    const problems = await problemsOf(dir);
    expect(problems.some((p) => p.message.includes('already marks stage "mql"'))).toBe(true);
  });

  it('reports YAML syntax errors with a line', async () => {
    const dir = await copyWith('identity', (t) => `${t}\nlinks: [unclosed\n`);
    const [problem] = await problemsOf(dir);
    expect(problem!.message).toMatch(/YAML syntax error/);
    expect(problem!.line).toBeGreaterThan(1);
  });

  it('reports a missing file with the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-empty-'));
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(3);
    expect(problems[0]!.message).toContain('LOCKSTEP_MAPPINGS_DIR');
  });

  it('refuses the reserved canonical name "stage" and unknown keys', async () => {
    const dir = await copyWith('fields', (t) =>
      t
        .replace('canonical: phone', 'canonical: stage')
        .replace('sync: hubspot_to_salesforce }', 'sync: hubspot_to_salesforce, direction: up }'),
    );
    const problems = await problemsOf(dir);
    expect(problems.some((p) => p.message.includes('unknown key "direction"'))).toBe(true);
  });

  it('DO_NOT_WRITE is returned for unmapped values when unmapped: drop', async () => {
    const dir = await copyWith('fields', (t) =>
      t.replace(
        '    salesforce: { Lead: Industry }\n',
        '    salesforce: { Lead: Industry }\n    unmapped: drop\n',
      ),
    );
    const industry = (await loadMappings(dir)).fields.find((f) => f.canonical === 'industry')!;
    expect(industry.salesforceCodec.encode('GAMBLING_CASINOS')).toBe(DO_NOT_WRITE);
  });
});
