/**
 * Pure SOQL builders. Every value that reaches a query is either validated (object and field names, ids)
 * or escaped as a string literal, so nothing read from the other CRM can inject SOQL.
 */
import { BadRequestError } from '../../src/connector/errors.js';
import type { ChangeCursor } from '../../src/connector/types.js';

/** `Lead`, `Lifecycle_Stage__c`, `ns__Thing__c`, and relationship paths such as `ConvertedAccount.Name`. */
const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;
/** Record ids are 15 (case-sensitive) or 18 (case-safe) base-62 characters. */
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export function isRecordId(value: string): boolean {
  return RECORD_ID.test(value);
}

function invalid(message: string): BadRequestError {
  return new BadRequestError('salesforce', message, undefined, 'INVALID_ARGUMENT');
}

export function objectName(name: string): string {
  if (!OBJECT_NAME.test(name)) throw invalid(`not a Salesforce object name: ${JSON.stringify(name)}`);
  return name;
}

function fieldPath(name: string): string {
  if (!FIELD_PATH.test(name)) throw invalid(`not a Salesforce field name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * SOQL string literal. Backslash first, then the quote, then the control characters SOQL knows as
 * escape sequences (SOQL reference "Quoted String Escape Sequences").
 */
export function soqlString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\f/g, '\\f')
    .replaceAll('\b', '\\b');
  return `'${escaped}'`;
}

/**
 * Unquoted SOQL datetime literal `2024-05-01T10:40:00Z`. SystemModstamp has whole-second precision, so a
 * cursor never carries milliseconds; if one does, flooring to the second can only re-read, never skip.
 */
export function soqlDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw invalid(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `required` first, then `fields` without duplicates: SOQL rejects a field selected twice. */
export function selectList(required: string[], fields: string[]): string {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const name of [...required, ...fields]) {
    const key = fieldPath(name).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    list.push(name);
  }
  return list.join(', ');
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw invalid(`${what} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Keyset page on (SystemModstamp, Id). Ties at one SystemModstamp second are normal (bulk updates), so the
 * cursor resumes inside a tie group by Id instead of skipping or repeating the whole second.
 */
export function changesQuery(
  object: string,
  after: ChangeCursor | null,
  fields: string[],
  limit: number,
): string {
  const select = `SELECT ${selectList(['Id', 'SystemModstamp'], fields)} FROM ${objectName(object)}`;
  const order = `ORDER BY SystemModstamp ASC, Id ASC LIMIT ${positiveInteger(limit, 'limit')}`;
  if (after === null) return `${select} ${order}`;
  const ts = soqlDateTime(after.modifiedAt);
  const where = `WHERE SystemModstamp > ${ts} OR (SystemModstamp = ${ts} AND Id > ${soqlString(after.id)})`;
  return `${select} ${where} ${order}`;
}

export function byIdsQuery(object: string, ids: string[], fields: string[]): string {
  const literals = ids.map(soqlString).join(', ');
  return `SELECT ${selectList(['Id', 'SystemModstamp'], fields)} FROM ${objectName(object)} WHERE Id IN (${literals})`;
}

export function byEmailsQuery(object: string, emails: string[], fields: string[]): string {
  const literals = emails.map(soqlString).join(', ');
  return `SELECT ${selectList(['Id', 'SystemModstamp', 'Email'], fields)} FROM ${objectName(object)} WHERE Email IN (${literals})`;
}

/**
 * Splits values into chunks of at most `maxCount` items and `maxChars` characters, so a `GET /query?q=`
 * URI stays well under the limit where Salesforce answers 414 (API-NOTES §4: chunk, e.g. ≤ 200 ids).
 */
export function chunkValues(
  values: string[],
  maxCount: number,
  maxChars = Number.POSITIVE_INFINITY,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const value of values) {
    const cost = soqlString(value).length + 2;
    if (current.length > 0 && (current.length >= maxCount || chars + cost > maxChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(value);
    chars += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
