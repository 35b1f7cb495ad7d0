/** One side of a linked person as the sync engine sees it: which record, and its raw vendor values. */
import type { RawFields, SystemName } from '../connector/types.js';
import type { SalesforceObject } from '../mapping/compile.js';

export interface HubSpotSide {
  system: 'hubspot';
  object: 'contacts';
  id: string;
  modifiedAt: string;
  raw: RawFields;
}

export interface SalesforceSide {
  system: 'salesforce';
  object: SalesforceObject;
  id: string;
  modifiedAt: string;
  raw: RawFields;
}

export type Side = HubSpotSide | SalesforceSide;

/** Key of the canonical stage in a base snapshot; reserved, so no mapped field may use it. */
export const STAGE_KEY = 'stage';

export function otherSystem(system: SystemName): SystemName {
  return system === 'hubspot' ? 'salesforce' : 'hubspot';
}
