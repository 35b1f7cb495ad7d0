/**
 * Reads by id or by email through `POST /crm/v3/objects/<object>/batch/read` (≤100 inputs per call,
 * API-NOTES §2.5). Email look-ups use `idProperty: "email"` rather than search: search has a far
 * tighter rate limit and lags the index by up to a minute.
 */
import type { Logger } from 'pino';
import { TransientApiError } from '../../src/connector/errors.js';
import type { SourceRecord } from '../../src/connector/types.js';
import { requestedProperties, toSourceRecord } from './records.js';
import type { HubSpotTransport } from './transport.js';
import { type BatchResponse, batchResponseSchema } from './wire.js';

/** HubSpot batch endpoints take at most 100 inputs (SDK DEFAULT_OBJECTS_LIMIT). */
export const BATCH_SIZE = 100;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * A 207 names unknown ids under OBJECT_NOT_FOUND: those are simply absent. Any other per-input error
 * on a read is unexpected; failing the call keeps the core from mistaking it for a deletion.
 */
function checkReadErrors(object: string, response: BatchResponse, logger?: Logger): void {
  const unexpected = response.errors.filter((error) => error.category !== 'OBJECT_NOT_FOUND');
  if (unexpected.length === 0) return;
  const first = unexpected[0];
  logger?.warn({ object, errors: unexpected }, 'hubspot batch read returned errors');
  throw new TransientApiError(
    'hubspot',
    `HubSpot batch read of ${object}: ${first?.category ?? 'error'}: ${first?.message ?? ''}`,
    207,
    first?.category,
  );
}

async function batchRead(
  transport: HubSpotTransport,
  object: string,
  keys: string[],
  properties: string[],
  idProperty: string | undefined,
  logger?: Logger,
): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for (const keysChunk of chunk(keys, BATCH_SIZE)) {
    const response = await transport.send(
      'hubspot',
      {
        method: 'POST',
        path: `/crm/v3/objects/${encodeURIComponent(object)}/batch/read`,
        qs: { archived: 'false' },
        body: { properties, ...(idProperty ? { idProperty } : {}), inputs: keysChunk.map((id) => ({ id })) },
      },
      batchResponseSchema,
    );
    checkReadErrors(object, response, logger);
    for (const result of response.results) records.push(toSourceRecord(object, result));
  }
  return records;
}

/**
 * Keyed by the id HubSpot returns. A merged-away id resolves to the surviving record under its own id,
 * so the requested id is then absent from the map.
 */
export async function readByIds(
  transport: HubSpotTransport,
  object: string,
  ids: string[],
  fields: string[],
  logger?: Logger,
): Promise<Map<string, SourceRecord>> {
  const unique = [...new Set(ids)];
  const records = await batchRead(
    transport,
    object,
    unique,
    requestedProperties(object, fields),
    undefined,
    logger,
  );
  return new Map(records.map((record) => [record.id, record]));
}

/** HubSpot stores emails lower-cased; the look-up value is matched as sent. */
export async function findByEmails(
  transport: HubSpotTransport,
  object: string,
  emails: string[],
  fields: string[],
  logger?: Logger,
): Promise<SourceRecord[]> {
  const unique = [
    ...new Set(emails.map((email) => email.trim().toLowerCase()).filter((email) => email !== '')),
  ];
  const properties = requestedProperties(object, fields, ['email']);
  const records = await batchRead(transport, object, unique, properties, 'email', logger);
  // Two addresses of one contact (primary and additional) resolve to the same record.
  return [...new Map(records.map((record) => [record.id, record])).values()];
}
