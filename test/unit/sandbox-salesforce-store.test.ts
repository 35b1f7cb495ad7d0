/**
 * The simulator's in-process store API: ids, the settable clock and whole-second stamps, UI-edit
 * validation, lead conversion and derived fields. No HTTP here.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { checksum, normalizeId } from '../../src/sandbox/salesforce/ids.js';
import { SalesforceSimError, SalesforceSimulator } from '../../src/sandbox/salesforce/index.js';

let clock: number;
let sim: SalesforceSimulator;

beforeEach(() => {
  clock = Date.parse('2024-05-01T10:40:00.750Z');
  sim = new SalesforceSimulator({ now: () => clock });
});

function simError(fn: () => unknown): SalesforceSimError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SalesforceSimError) return error;
    throw error;
  }
  throw new Error('expected a SalesforceSimError');
}

const lead = (extra: Record<string, unknown> = {}) =>
  sim.insert('Lead', {
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Company: 'Engines Ltd',
    Email: 'ada@engines.test',
    ...extra,
  });

describe('ids', () => {
  it('computes the 18-char suffix of the documentation examples', () => {
    expect(checksum('001xx000003DGb2')).toBe('AAG');
    expect(checksum('003xx000004TmiQ')).toBe('AAS');
    expect(normalizeId('001xx000003DGb2')).toBe('001xx000003DGb2AAG');
    expect(normalizeId('not-an-id')).toBeUndefined();
  });

  it('gives every object its key prefix and increasing ids', () => {
    const account = sim.insert('Account', { Name: 'Acme' });
    const contact = sim.insert('Contact', { LastName: 'C', AccountId: account });
    const opp = sim.insert('Opportunity', { Name: 'O', StageName: 'Prospecting', CloseDate: '2024-06-01' });
    const role = sim.insert('OpportunityContactRole', { OpportunityId: opp, ContactId: contact });
    const first = lead();
    const second = lead();
    expect([first, contact, account, opp, role].map((id) => id.slice(0, 3))).toEqual([
      '00Q',
      '003',
      '001',
      '006',
      '00K',
    ]);
    for (const id of [first, contact, account, opp, role]) expect(id).toMatch(/^[0-9A-Za-z]{18}$/);
    expect(second > first).toBe(true);
    expect(sim.all('User').map((u) => u.Id)).toEqual(['005000000000001AAA', '005000000000002AAA']);
  });
});

describe('clock and stamps', () => {
  it('stamps whole seconds in Salesforce format, and an edit bumps LastModifiedDate and SystemModstamp', () => {
    const id = lead();
    expect(sim.get('Lead', id)).toMatchObject({
      CreatedDate: '2024-05-01T10:40:00.000+0000',
      LastModifiedDate: '2024-05-01T10:40:00.000+0000',
      SystemModstamp: '2024-05-01T10:40:00.000+0000',
    });
    clock += 61_000;
    sim.update('Lead', id, { Title: 'Countess' });
    expect(sim.get('Lead', id)).toMatchObject({
      Title: 'Countess',
      CreatedDate: '2024-05-01T10:40:00.000+0000',
      LastModifiedDate: '2024-05-01T10:41:01.000+0000',
      SystemModstamp: '2024-05-01T10:41:01.000+0000',
      LastModifiedById: '005000000000002AAA',
    });
    expect(sim.meta(id)).toEqual({ lastWriteVia: 'ui', lastWriteClient: null, writes: 2 });
  });

  it('stores values the way Salesforce does: no empty strings, whole-second datetimes, rounded numbers', () => {
    const id = lead({
      Title: '',
      Last_Email_Open__c: '2024-04-30T08:00:00.999Z',
      Last_Conversion_Date__c: '2024-04-30T10:00:00+02:00',
      HubSpot_Score__c: '41.6',
      AnnualRevenue: 1234.5,
    });
    expect(sim.get('Lead', id)).toMatchObject({
      Title: null,
      Last_Email_Open__c: '2024-04-30T08:00:00.000+0000',
      Last_Conversion_Date__c: '2024-04-30T08:00:00.000+0000',
      HubSpot_Score__c: 42,
      AnnualRevenue: 1235,
      Name: 'Ada Lovelace',
    });
  });
});

describe('validation of UI edits', () => {
  it('refuses bad restricted picklist values with the Salesforce message', () => {
    const id = lead();
    const error = simError(() => sim.update('Lead', id, { Lifecycle_Stage__c: 'marketingqualifiedlead' }));
    expect(error.statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(error.message).toContain(
      'Lifecycle Stage: bad value for restricted picklist field: marketingqualifiedlead',
    );
    expect(error.fields).toEqual(['Lifecycle_Stage__c']);
    expect(simError(() => sim.update('Lead', id, { Industry: 'Space' })).fields).toEqual(['Industry']);
    sim.update('Lead', id, { Industry: 'Technology', LeadSource: 'Anything goes' });
    expect(sim.get('Lead', id)).toMatchObject({ Industry: 'Technology', LeadSource: 'Anything goes' });
  });

  it('refuses read-only fields, over-long text, bad emails, nulled required fields and bad lookups', () => {
    const id = lead();
    expect(
      simError(() => sim.update('Lead', id, { SystemModstamp: '2024-01-01T00:00:00Z' })).statusCode,
    ).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    const tooLong = simError(() => sim.update('Lead', id, { HubSpot_Contact_Id__c: '1234567890123456789' }));
    expect(tooLong.statusCode).toBe('STRING_TOO_LONG');
    expect(tooLong.message).toContain('(max length=18)');
    expect(simError(() => sim.update('Lead', id, { Email: 'not an email' })).statusCode).toBe(
      'INVALID_EMAIL_ADDRESS',
    );
    expect(simError(() => sim.update('Lead', id, { LastName: null })).statusCode).toBe(
      'REQUIRED_FIELD_MISSING',
    );
    expect(simError(() => sim.update('Lead', id, { NumberOfEmployees: 'many' })).statusCode).toBe(
      'INVALID_TYPE_ON_FIELD_IN_RECORD',
    );
    expect(simError(() => sim.update('Lead', id, { Foo__c: 1 })).statusCode).toBe('INVALID_FIELD');
    expect(simError(() => sim.insert('Contact', { LastName: 'X', AccountId: id })).statusCode).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    expect(simError(() => sim.insert('Contact', { FirstName: 'no last name' })).statusCode).toBe(
      'REQUIRED_FIELD_MISSING',
    );
  });

  it('distinguishes a deleted record from an unknown one', () => {
    const id = lead();
    sim.delete('Lead', id);
    expect(sim.get('Lead', id)).toBeUndefined();
    expect(simError(() => sim.update('Lead', id, { Title: 'x' })).statusCode).toBe('ENTITY_IS_DELETED');
    expect(simError(() => sim.update('Lead', '00Q000000000ZZZ', { Title: 'x' })).statusCode).toBe(
      'INVALID_CROSS_REFERENCE_KEY',
    );
  });
});

describe('lead conversion', () => {
  it('creates account, contact, opportunity and primary contact role and locks the lead', () => {
    const id = lead({ Lifecycle_Stage__c: 'SQL', HubSpot_Contact_Id__c: '51' });
    clock = Date.parse('2024-05-02T09:00:00Z');
    const result = sim.convertLead(id, {
      opportunityName: 'Engines deal',
      stageName: 'Qualification',
      amount: 5000,
    });
    expect(sim.get('Lead', id)).toMatchObject({
      IsConverted: true,
      ConvertedDate: '2024-05-02',
      Status: 'Closed - Converted',
      ConvertedAccountId: result.accountId,
      ConvertedContactId: result.contactId,
      ConvertedOpportunityId: result.opportunityId,
      SystemModstamp: '2024-05-02T09:00:00.000+0000',
    });
    expect(sim.get('Account', result.accountId)).toMatchObject({ Name: 'Engines Ltd' });
    expect(sim.get('Contact', result.contactId)).toMatchObject({
      AccountId: result.accountId,
      Email: 'ada@engines.test',
      Lifecycle_Stage__c: 'SQL',
      HubSpot_Contact_Id__c: '51',
    });
    expect(sim.get('Opportunity', result.opportunityId!)).toMatchObject({
      Name: 'Engines deal',
      StageName: 'Qualification',
      Amount: 5000,
      IsClosed: false,
      IsWon: false,
      AccountId: result.accountId,
    });
    expect(sim.get('OpportunityContactRole', result.opportunityContactRoleId!)).toMatchObject({
      OpportunityId: result.opportunityId,
      ContactId: result.contactId,
      IsPrimary: true,
    });
    expect(simError(() => sim.update('Lead', id, { Title: 'x' })).statusCode).toBe(
      'CANNOT_UPDATE_CONVERTED_LEAD',
    );
    expect(() => sim.convertLead(id)).toThrow(/already converted/);
  });

  it('can skip the opportunity', () => {
    const id = lead();
    const result = sim.convertLead(id, { createOpportunity: false });
    expect(result.opportunityId).toBeNull();
    expect(sim.get('Lead', id)!.ConvertedOpportunityId).toBeNull();
    expect(sim.all('Opportunity')).toEqual([]);
    expect(sim.all('OpportunityContactRole')).toEqual([]);
  });

  it('derives IsClosed / IsWon from the stage', () => {
    const opp = sim.insert('Opportunity', {
      Name: 'O',
      StageName: 'Negotiation/Review',
      CloseDate: '2024-06-01',
    });
    sim.update('Opportunity', opp, { StageName: 'Closed Won' });
    expect(sim.get('Opportunity', opp)).toMatchObject({ IsClosed: true, IsWon: true });
    sim.update('Opportunity', opp, { StageName: 'Closed Lost' });
    expect(sim.get('Opportunity', opp)).toMatchObject({ IsClosed: true, IsWon: false });
    expect(simError(() => sim.update('Opportunity', opp, { StageName: 'Won' })).statusCode).toBe(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    );
  });
});
