/**
 * sObject Collections: `PATCH` (update) and `POST` (create) `/composite/sobjects`, and retrieve
 * `GET|POST /composite/sobjects/:object` (API-NOTES §1.6, §4). HTTP 200 with one SaveResult per
 * input, in input order; a failed element has no `id`. With allOrNone nothing is written when any
 * record fails and the valid ones report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import type { SimRequest, SimResponse } from '../sim-http.js';
import { callClient, isPlainObject, restError, versionOf } from './http-util.js';
import { type FieldDef, fieldDef, objectDef } from './schema.js';
import type { JsonObject } from './soql-eval.js';
import { apiOrigin, type PreparedWrite, type SalesforceStore } from './store.js';
import { type SaveError, saveError } from './validate.js';

const MAX_RECORDS = 200;
const ROLLED_BACK = saveError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

type SaveResult = { id: string; success: true; errors: [] } | { success: false; errors: SaveError[] };

export class CompositeRoutes {
  constructor(
    private readonly store: SalesforceStore,
    private readonly now: () => number,
  ) {}

  update(req: SimRequest): SimResponse {
    return this.write(req, (type, record) => {
      const idKey = Object.keys(record).find((k) => k.toLowerCase() === 'id');
      return this.store.prepareUpdate(type, idKey ? record[idKey] : undefined, record);
    });
  }

  create(req: SimRequest): SimResponse {
    return this.write(req, (type, record) => this.store.prepareCreate(type, record));
  }

  /** `GET ?ids=a,b&fields=X,Y` or `POST {ids, fields}` (jsforce's retrieve uses the POST form). */
  retrieve(req: SimRequest): SimResponse {
    const object = objectDef(req.params.object ?? '');
    if (!object) return restError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const body = isPlainObject(req.body) ? req.body : {};
    const list = (name: string): string[] => {
      const fromBody = body[name];
      if (Array.isArray(fromBody)) return fromBody.map(String);
      const fromQuery = req.query.get(name);
      return fromQuery
        ? fromQuery
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    };
    const ids = list('ids');
    if (ids.length === 0) return restError(400, 'MISSING_ARGUMENT', 'ids: must specify at least one id');
    const wanted = list('fields');
    if (wanted.length === 0)
      return restError(400, 'MISSING_ARGUMENT', 'fields: must specify at least one field');
    const defs: FieldDef[] = [];
    for (const name of wanted) {
      const def = fieldDef(object, name);
      if (!def)
        return restError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
      defs.push(def);
    }
    const version = versionOf(req);
    const rows = ids.map((id): JsonObject | null => {
      const record = this.store.find(id);
      if (!record || record.deleted || record.object !== object.name) return null;
      const row: JsonObject = {
        attributes: {
          type: object.name,
          url: `/services/data/${version}/sobjects/${object.name}/${String(record.fields.Id)}`,
        },
      };
      for (const def of defs) row[def.name] = record.fields[def.name] ?? null;
      return row;
    });
    return { status: 200, body: rows };
  }

  private write(
    req: SimRequest,
    prepare: (type: string, record: Record<string, unknown>) => PreparedWrite,
  ): SimResponse {
    const body = req.body;
    if (!isPlainObject(body) || !Array.isArray(body.records)) {
      return restError(400, 'JSON_PARSER_ERROR', 'The request body must be an object with a records array');
    }
    const records: unknown[] = body.records;
    if (records.length > MAX_RECORDS) {
      return restError(
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
      );
    }
    const allOrNone = body.allOrNone === true;
    const origin = apiOrigin(callClient(req));
    const stamp = this.now();
    const prepareOne = (record: unknown): PreparedWrite => {
      if (!isPlainObject(record))
        return { ok: false, error: saveError('JSON_PARSER_ERROR', 'record must be an object') };
      const attributes = record.attributes;
      const type =
        isPlainObject(attributes) && typeof attributes.type === 'string' ? attributes.type : undefined;
      if (!type) return { ok: false, error: saveError('INVALID_TYPE', 'Must send a concrete entity type.') };
      return prepare(type, record);
    };
    if (!allOrNone) {
      // Records are processed in order, so a later record sees the effect of an earlier one.
      const results = records.map((record) => toResult(this.store.apply(prepareOne(record), origin, stamp)));
      return { status: 200, body: results };
    }
    const prepared = records.map(prepareOne);
    if (prepared.some((p) => !p.ok)) {
      const results: SaveResult[] = prepared.map((p) => ({
        success: false,
        errors: [p.ok ? ROLLED_BACK : p.error],
      }));
      return { status: 200, body: results };
    }
    return { status: 200, body: prepared.map((p) => toResult(this.store.apply(p, origin, stamp))) };
  }
}

function toResult(outcome: { ok: true; id: string } | { ok: false; error: SaveError }): SaveResult {
  return outcome.ok
    ? { id: outcome.id, success: true, errors: [] }
    : { success: false, errors: [outcome.error] };
}
