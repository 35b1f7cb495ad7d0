/**
 * Per-record write validation, as Salesforce runs it before a DML: unknown fields, read-only fields,
 * type coercion, restricted picklists, text length, lookups, required fields. Returns the first
 * failure in the SaveResult error shape (`statusCode`, `message`, `fields`), API-NOTES §1.6.
 */
import { KEY_PREFIXES, normalizeId } from './ids.js';
import { fieldDef, type ObjectDef, requiredOnCreate, TEXT_TYPES } from './schema.js';
import { coerce, type SfRecord } from './values.js';

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type Prepared = { ok: true; values: SfRecord } | { ok: false; error: SaveError };

export const saveError = (statusCode: string, message: string, fields: string[] = []): SaveError => ({
  statusCode,
  message,
  fields,
});

/** Looks a record up by 18-char id: `live` when it exists and is not deleted. */
export type RecordLookup = (id: string) => 'live' | 'deleted' | 'missing';

/**
 * Validates and coerces `input` (a request record minus `attributes` and the id) for `mode`.
 * `current` is the stored record for updates (to check required fields stay filled).
 */
export function prepareFields(
  object: ObjectDef,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
  lookup: RecordLookup,
): Prepared {
  const values: SfRecord = {};
  const readOnly: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const def = fieldDef(object, key);
    if (!def) {
      return fail('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`);
    }
    if (mode === 'create' ? !def.createable : !def.updateable) {
      readOnly.push(def.name);
      continue;
    }
    const coerced = coerce(def, raw);
    if (!coerced.ok) return fail(coerced.code, coerced.message, [def.name]);
    const value = coerced.value;
    if (value !== null && def.restricted && def.picklist && !def.picklist.includes(String(value))) {
      return fail(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${def.label}: bad value for restricted picklist field: ${String(value)}`,
        [def.name],
      );
    }
    if (typeof value === 'string' && TEXT_TYPES.has(def.type) && value.length > def.length) {
      return fail(
        'STRING_TOO_LONG',
        `${def.label}: data value too large: ${value} (max length=${def.length})`,
        [def.name],
      );
    }
    if (typeof value === 'string' && def.type === 'reference') {
      const id = normalizeId(value);
      const prefixes = (def.referenceTo ?? []).map((name) => KEY_PREFIXES[name]);
      if (!id || !prefixes.includes(id.slice(0, 3))) {
        return fail('FIELD_INTEGRITY_EXCEPTION', `${def.label}: id value of incorrect type: ${value}`, [
          def.name,
        ]);
      }
      if (lookup(id) !== 'live') {
        return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [def.name]);
      }
      values[def.name] = id;
      continue;
    }
    if (value === null && !def.nillable) {
      return fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${def.name}]`, [def.name]);
    }
    values[def.name] = value;
  }
  if (readOnly.length > 0) {
    return fail(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  if (mode === 'create') {
    const missing = requiredOnCreate(object)
      .filter((def) => values[def.name] === undefined || values[def.name] === null)
      .map((def) => def.name);
    if (missing.length > 0) {
      return fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    }
  }
  return { ok: true, values };
}

function fail(statusCode: string, message: string, fields: string[] = []): Prepared {
  return { ok: false, error: saveError(statusCode, message, fields) };
}
