/**
 * Reads: changes after a compound cursor, records by id, records by e-mail. Pure query text comes from
 * soql.ts; this file decides chunking and how rows become SourceRecords.
 */
import type { ChangeCursor, ChangePage, SourceRecord } from '../../src/connector/types.js';
import { runQuery, toSourceRecord } from './query.js';
import type { SalesforceRestClient } from './rest-client.js';
import { byEmailsQuery, byIdsQuery, changesQuery, chunkValues, isRecordId } from './soql.js';

/** Ids per `WHERE Id IN (…)`: long IN lists on `GET /query` hit 414 URI Too Long (API-NOTES §4). */
export const IDS_PER_QUERY = 200;
/** E-mails are longer than ids, so their chunks are bounded by characters as well. */
export const EMAILS_PER_QUERY = 100;
const EMAIL_CHARS_PER_QUERY = 6_000;

export async function readChanges(
  client: SalesforceRestClient,
  object: string,
  after: ChangeCursor | null,
  fields: string[],
  limit: number,
): Promise<ChangePage> {
  const rows = await runQuery(client, changesQuery(object, after, fields, limit), limit);
  const records = rows.map((row) => toSourceRecord(object, row));
  const last = records.at(-1);
  return {
    records,
    cursor: last === undefined ? after : { modifiedAt: last.modifiedAt, id: last.id },
    done: records.length < limit,
  };
}

/**
 * Keys are the ids as the caller passed them. A 15-character id is matched to the 18-character id
 * Salesforce returns by its first 15 characters (the 3-character suffix only encodes case).
 */
export async function readByIds(
  client: SalesforceRestClient,
  object: string,
  ids: string[],
  fields: string[],
): Promise<Map<string, SourceRecord>> {
  // A malformed id makes Salesforce reject the whole query (INVALID_QUERY_FILTER_OPERATOR); such an id
  // cannot exist, so it is simply absent from the result.
  const wanted = [...new Set(ids)].filter(isRecordId);
  const found = new Map<string, SourceRecord>();
  for (const chunk of chunkValues(wanted, IDS_PER_QUERY)) {
    for (const row of await runQuery(client, byIdsQuery(object, chunk, fields))) {
      const record = toSourceRecord(object, row);
      found.set(record.id, record);
      found.set(record.id.slice(0, 15), record);
    }
  }
  const result = new Map<string, SourceRecord>();
  for (const id of wanted) {
    const record = found.get(id);
    if (record !== undefined) result.set(id, record);
  }
  return result;
}

export async function findByEmails(
  client: SalesforceRestClient,
  object: string,
  emails: string[],
  fields: string[],
): Promise<SourceRecord[]> {
  const wanted = new Set(emails.map((email) => email.trim().toLowerCase()).filter((email) => email !== ''));
  const records: SourceRecord[] = [];
  for (const chunk of chunkValues([...wanted], EMAILS_PER_QUERY, EMAIL_CHARS_PER_QUERY)) {
    for (const row of await runQuery(client, byEmailsQuery(object, chunk, fields))) {
      // SOQL `=`/`IN` on Email is already case-insensitive; checking again keeps the contract explicit.
      if (typeof row.Email === 'string' && wanted.has(row.Email.toLowerCase())) {
        records.push(toSourceRecord(object, row));
      }
    }
  }
  return records;
}
