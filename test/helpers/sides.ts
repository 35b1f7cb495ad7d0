import type { RawFields } from '../../src/connector/types.js';
import type { HubSpotSide, SalesforceSide } from '../../src/sync/side.js';

export const hubspotSide = (
  raw: RawFields,
  modifiedAt = '2024-05-01T10:00:00.000Z',
  id = '51',
): HubSpotSide => ({
  system: 'hubspot',
  object: 'contacts',
  id,
  modifiedAt,
  raw: { salesforce_lead_id: '00Q000000000001AAA', ...raw },
});

export const salesforceSide = (
  raw: RawFields,
  modifiedAt = '2024-05-01T09:00:00.000Z',
  id = '00Q000000000001AAA',
  object: 'Lead' | 'Contact' = 'Lead',
): SalesforceSide => ({
  system: 'salesforce',
  object,
  id,
  modifiedAt,
  raw: { HubSpot_Contact_Id__c: '51', ...raw },
});
