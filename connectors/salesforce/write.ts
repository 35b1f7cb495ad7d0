/**
 * Batched writes through sObject Collections: `PATCH /composite/sobjects` (update) and
 * `POST /composite/sobjects` (create), `allOrNone: false` so one bad value fails one record, not its
 * neighbours. jsforce never retries POST/PATCH, so a failed call surfaces once, as a typed error.
 */
import type { RawFields, RecordCreate, RecordPatch, WriteResult } from '../../src/connector/types.js';
import type { SalesforceRestClient } from './rest-client.js';
import { mapSaveResults, type SentRecord } from './save-results.js';
import { objectName } from './soql.js';

/**
 * Records per sObject Collections call; more is rejected with 400 EXCEEDED_ID_LIMIT (API-NOTES §1.6, §4).
 * Larger inputs are split into sequential calls; if a later call throws, earlier ones are already
 * committed, so callers that cannot tolerate replaying them (creates) should pass at most this many.
 */
export const SALESFORCE_BATCH_SIZE = 200;

const COLLECTIONS_PATH = '/composite/sobjects';

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Keys Salesforce reads as the record envelope; a mapped field must not override them. */
function dataFields(fields: RawFields): RawFields {
  const data: RawFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!['id', 'attributes'].includes(name.toLowerCase())) data[name] = value;
  }
  return data;
}

/**
 * `clearFirst` exists for HubSpot, which ignores a backward `lifecyclestage` unless it was cleared in an
 * earlier request. Salesforce has no forward-only rule: writing the new value directly is the same as
 * clear-then-set, so one request suffices. Fields to clear that get no new value are sent as null.
 */
export function toUpdateRecord(object: string, patch: RecordPatch): Record<string, unknown> {
  const cleared: RawFields = {};
  for (const name of patch.clearFirst ?? []) cleared[name] = null;
  return { attributes: { type: object }, id: patch.id, ...dataFields({ ...cleared, ...patch.fields }) };
}

export function toCreateRecord(object: string, create: RecordCreate): Record<string, unknown> {
  return { attributes: { type: object }, ...dataFields(create.fields) };
}

async function sendCollections(
  client: SalesforceRestClient,
  method: 'PATCH' | 'POST',
  sent: SentRecord[],
  records: Record<string, unknown>[],
): Promise<WriteResult[]> {
  const body = await client.request({ method, path: COLLECTIONS_PATH, body: { allOrNone: false, records } });
  return mapSaveResults(sent, body);
}

export async function updateRecords(
  client: SalesforceRestClient,
  object: string,
  patches: RecordPatch[],
): Promise<WriteResult[]> {
  const type = objectName(object);
  const results: WriteResult[] = [];
  for (const batch of chunks(patches, SALESFORCE_BATCH_SIZE)) {
    const sent = batch.map((patch) => ({ ref: patch.ref, id: patch.id }));
    results.push(
      ...(await sendCollections(
        client,
        'PATCH',
        sent,
        batch.map((patch) => toUpdateRecord(type, patch)),
      )),
    );
  }
  return results;
}

export async function createRecords(
  client: SalesforceRestClient,
  object: string,
  creates: RecordCreate[],
): Promise<WriteResult[]> {
  const type = objectName(object);
  const results: WriteResult[] = [];
  for (const batch of chunks(creates, SALESFORCE_BATCH_SIZE)) {
    const sent = batch.map((create) => ({ ref: create.ref }));
    results.push(
      ...(await sendCollections(
        client,
        'POST',
        sent,
        batch.map((create) => toCreateRecord(type, create)),
      )),
    );
  }
  return results;
}
