/**
 * The simulated org's data. Every write, whether from the REST routes or from a test acting as a UI
 * user, goes through `create` / `modify` here, so stamps, derived fields and write attribution are
 * applied in exactly one place.
 */
import { API_USER_ID, KEY_PREFIXES, makeId, normalizeId, objectOfId, UI_USER_ID } from './ids.js';
import { type ObjectDef, objectDef } from './schema.js';
import { prepareFields, type SaveError, saveError } from './validate.js';
import { type FieldValue, formatDateTime, type SfRecord } from './values.js';

/** Who wrote: a REST call (with its `Sforce-Call-Options` client, if any) or a person in the UI. */
export interface WriteOrigin {
  via: 'api' | 'ui';
  client: string | null;
  userId: string;
}

export const UI_ORIGIN: WriteOrigin = { via: 'ui', client: null, userId: UI_USER_ID };
export const apiOrigin = (client: string | null): WriteOrigin => ({
  via: 'api',
  client,
  userId: API_USER_ID,
});

/** Field-less metadata: how the record was last written. Not visible through the API. */
export interface RecordMeta {
  lastWriteVia: 'api' | 'ui';
  /** `client=` of the last API writer's Sforce-Call-Options header; null for UI edits or no header. */
  lastWriteClient: string | null;
  /** How many times the record was written (create included). */
  writes: number;
}

export interface StoredRecord {
  object: string;
  fields: SfRecord;
  meta: RecordMeta;
  deleted: boolean;
}

export type WriteOutcome = { ok: true; id: string } | { ok: false; error: SaveError };

/** A validated change, ready to apply (split from applying so allOrNone can validate everything first). */
export type PreparedWrite =
  | { ok: true; kind: 'create'; object: ObjectDef; values: SfRecord }
  | { ok: true; kind: 'update'; object: ObjectDef; id: string; values: SfRecord }
  | { ok: false; error: SaveError };

/** Key for writes made without a Sforce-Call-Options client. */
export const NO_CLIENT = '(none)';

export class SalesforceStore {
  private readonly tables = new Map<string, Map<string, StoredRecord>>();
  private readonly counters = new Map<string, number>();
  private readonly clientWrites = new Map<string, number>();

  constructor(private readonly now: () => number) {
    for (const [n, first, last] of [
      [1, 'Lockstep', 'Integration'],
      [2, 'Sam', 'Seller'],
    ] as const) {
      const id = this.nextId('User');
      const stamp = formatDateTime(this.now());
      this.table('User').set(id, {
        object: 'User',
        deleted: false,
        meta: { lastWriteVia: 'ui', lastWriteClient: null, writes: 1 },
        fields: {
          Id: id,
          Username: `user${n}@lockstep.test`,
          FirstName: first,
          LastName: last,
          Name: `${first} ${last}`,
          Email: `user${n}@lockstep.test`,
          IsActive: true,
          IsDeleted: false,
          CreatedDate: stamp,
          CreatedById: API_USER_ID,
          LastModifiedDate: stamp,
          LastModifiedById: API_USER_ID,
          SystemModstamp: stamp,
        },
      });
    }
  }

  /** The stored record (deleted ones included) for an id of any object, 15 or 18 chars. */
  find(idText: string): StoredRecord | undefined {
    const id = normalizeId(idText);
    const object = id ? objectOfId(id) : undefined;
    return id && object ? this.tables.get(object)?.get(id) : undefined;
  }

  /** Records of one object in insertion order; deleted ones only when asked (queryAll). */
  records(object: string, includeDeleted = false): StoredRecord[] {
    const list = [...(this.tables.get(object)?.values() ?? [])];
    return includeDeleted ? list : list.filter((r) => !r.deleted);
  }

  writeCounts(): Record<string, number> {
    return Object.fromEntries(this.clientWrites);
  }

  prepareCreate(objectName: string, input: Record<string, unknown>): PreparedWrite {
    const object = objectDef(objectName);
    if (!object)
      return {
        ok: false,
        error: saveError('INVALID_TYPE', `sObject type '${objectName}' is not supported.`),
      };
    const body = withoutAttributes(input);
    if (Object.keys(body).some((k) => k.toLowerCase() === 'id')) {
      return { ok: false, error: saveError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']) };
    }
    const prepared = prepareFields(object, body, 'create', (id) => this.lookup(id));
    return prepared.ok ? { ok: true, kind: 'create', object, values: prepared.values } : prepared;
  }

  prepareUpdate(objectName: string, idText: unknown, input: Record<string, unknown>): PreparedWrite {
    const object = objectDef(objectName);
    if (!object)
      return {
        ok: false,
        error: saveError('INVALID_TYPE', `sObject type '${objectName}' is not supported.`),
      };
    if (typeof idText !== 'string' || idText === '') {
      return { ok: false, error: saveError('MISSING_ARGUMENT', 'Id not specified in an update call') };
    }
    const id = normalizeId(idText);
    if (!id || id.slice(0, 3) !== KEY_PREFIXES[object.name]) {
      return {
        ok: false,
        error: saveError('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${idText}`, ['Id']),
      };
    }
    const current = this.tables.get(object.name)?.get(id);
    if (!current)
      return { ok: false, error: saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id') };
    if (current.deleted) return { ok: false, error: saveError('ENTITY_IS_DELETED', 'entity is deleted') };
    if (object.name === 'Lead' && current.fields.IsConverted === true) {
      return {
        ok: false,
        error: saveError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead'),
      };
    }
    const body = withoutAttributes(input);
    for (const key of Object.keys(body)) if (key.toLowerCase() === 'id') delete body[key];
    const prepared = prepareFields(object, body, 'update', (ref) => this.lookup(ref));
    return prepared.ok ? { ok: true, kind: 'update', object, id, values: prepared.values } : prepared;
  }

  /** Applies a validated write; all writes of one request share `stampMs` (same second, like one DML). */
  apply(write: PreparedWrite, origin: WriteOrigin, stampMs = this.now()): WriteOutcome {
    if (!write.ok) return write;
    const stamp = formatDateTime(stampMs);
    let record: StoredRecord;
    if (write.kind === 'create') {
      const id = this.nextId(write.object.name);
      record = {
        object: write.object.name,
        deleted: false,
        meta: { lastWriteVia: origin.via, lastWriteClient: origin.client, writes: 0 },
        fields: { ...createDefaults(write.object, id, stamp, origin.userId), ...write.values },
      };
      this.table(write.object.name).set(id, record);
    } else {
      const found = this.tables.get(write.object.name)?.get(write.id);
      if (!found)
        return { ok: false, error: saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id') };
      record = found;
      Object.assign(record.fields, write.values);
    }
    // A write always bumps the stamps, even when every value is unchanged (as Salesforce does).
    record.fields.LastModifiedDate = stamp;
    record.fields.SystemModstamp = stamp;
    record.fields.LastModifiedById = origin.userId;
    record.meta = {
      lastWriteVia: origin.via,
      lastWriteClient: origin.client,
      writes: record.meta.writes + 1,
    };
    deriveFields(record);
    if (origin.via === 'api') {
      const key = origin.client ?? NO_CLIENT;
      this.clientWrites.set(key, (this.clientWrites.get(key) ?? 0) + 1);
    }
    return { ok: true, id: String(record.fields.Id) };
  }

  /** Soft delete (recycle bin): gone from query, visible to queryAll with IsDeleted = true. */
  remove(objectName: string, idText: string, origin: WriteOrigin): WriteOutcome {
    const object = objectDef(objectName);
    const record = this.find(idText);
    if (!object || !record || record.object !== object.name) {
      return { ok: false, error: saveError('NOT_FOUND', 'The requested resource does not exist') };
    }
    if (record.deleted) return { ok: false, error: saveError('ENTITY_IS_DELETED', 'entity is deleted') };
    record.deleted = true;
    record.fields.IsDeleted = true;
    const stamp = formatDateTime(this.now());
    record.fields.SystemModstamp = stamp;
    record.fields.LastModifiedDate = stamp;
    record.fields.LastModifiedById = origin.userId;
    record.meta = {
      lastWriteVia: origin.via,
      lastWriteClient: origin.client,
      writes: record.meta.writes + 1,
    };
    return { ok: true, id: String(record.fields.Id) };
  }

  /** Sets platform-owned fields directly (conversion); bypasses validation on purpose. */
  systemSet(id: string, fields: SfRecord, origin: WriteOrigin): void {
    const record = this.find(id);
    if (!record) throw new Error(`no record ${id}`);
    const stamp = formatDateTime(this.now());
    Object.assign(record.fields, fields, {
      LastModifiedDate: stamp,
      SystemModstamp: stamp,
      LastModifiedById: origin.userId,
    });
    record.meta = {
      lastWriteVia: origin.via,
      lastWriteClient: origin.client,
      writes: record.meta.writes + 1,
    };
    deriveFields(record);
  }

  private lookup(id: string): 'live' | 'deleted' | 'missing' {
    const record = this.find(id);
    return !record ? 'missing' : record.deleted ? 'deleted' : 'live';
  }

  private table(object: string): Map<string, StoredRecord> {
    let table = this.tables.get(object);
    if (!table) {
      table = new Map();
      this.tables.set(object, table);
    }
    return table;
  }

  private nextId(object: string): string {
    const n = (this.counters.get(object) ?? 0) + 1;
    this.counters.set(object, n);
    return makeId(KEY_PREFIXES[object] ?? '000', n);
  }
}

function withoutAttributes(input: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...rest } = input;
  return rest;
}

function createDefaults(object: ObjectDef, id: string, stamp: string, userId: string): SfRecord {
  const values: SfRecord = {};
  for (const def of object.fields) values[def.name] = null;
  Object.assign(values, { Id: id, IsDeleted: false, CreatedDate: stamp, CreatedById: userId });
  const has = (name: string) => object.fields.some((f) => f.name === name);
  if (has('OwnerId')) values.OwnerId = userId;
  for (const def of object.fields) {
    if (def.picklistDefault) values[def.name] = def.picklistDefault;
    else if (def.type === 'boolean' && def.defaultedOnCreate && def.name !== 'IsDeleted')
      values[def.name] = false;
  }
  return values;
}

/** Fields Salesforce computes: person Name, Opportunity IsClosed / IsWon from the stage. */
function deriveFields(record: StoredRecord): void {
  const f = record.fields;
  if ('LastName' in f && 'Name' in f) {
    f.Name = [f.FirstName, f.LastName]
      .filter((v): v is Exclude<FieldValue, null> => v !== null && v !== '')
      .join(' ');
  }
  if (record.object === 'Opportunity') {
    f.IsClosed = f.StageName === 'Closed Won' || f.StageName === 'Closed Lost';
    f.IsWon = f.StageName === 'Closed Won';
  }
}
