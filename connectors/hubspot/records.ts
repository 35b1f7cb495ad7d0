/**
 * HubSpot objects ↔ the core's SourceRecord: which property carries the modification time, and how
 * it is read.
 */
import { TransientApiError } from '../../src/connector/errors.js';
import type { SourceRecord } from '../../src/connector/types.js';
import type { HsObject } from './wire.js';

/** Contacts keep the legacy name; every other object uses the `hs_` one (API-NOTES §2.4). */
export function modifiedProperty(object: string): string {
  return object === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

/** The caller's fields plus what the cursor needs; search returns only what is asked for. */
export function requestedProperties(
  object: string,
  fields: readonly string[],
  extra: readonly string[] = [],
): string[] {
  return [...new Set([...fields, ...extra, 'hs_object_id', modifiedProperty(object)])];
}

/** Datetimes come back as ISO strings, and as epoch-ms strings from some APIs (API-NOTES §2.4). */
export function parseHubSpotTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export function modifiedMsOf(object: string, record: HsObject): number {
  // `updatedAt` mirrors the modified property; it is only a fallback for a property that was not returned.
  const ms =
    parseHubSpotTime(record.properties[modifiedProperty(object)]) ?? parseHubSpotTime(record.updatedAt);
  if (ms === undefined) {
    throw new TransientApiError(
      'hubspot',
      `HubSpot ${object} ${record.id} came back without a modification time`,
    );
  }
  return ms;
}

export function toSourceRecord(object: string, record: HsObject): SourceRecord {
  return {
    object,
    id: record.id,
    modifiedAt: new Date(modifiedMsOf(object, record)).toISOString(),
    fields: record.properties,
  };
}
