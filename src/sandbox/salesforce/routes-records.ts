/**
 * Single-record sObject resources (`/sobjects/:object[/:id]`), describe and describeGlobal.
 * Single-record errors use the top-level REST shape `[{message, errorCode, fields}]` (API-NOTES §1.7),
 * unlike the per-record `statusCode` shape of the collections.
 */
import type { SimRequest, SimResponse } from '../sim-http.js';
import { describeGlobal, describeObject } from './describe.js';
import { callClient, isPlainObject, notFound, restError, versionOf } from './http-util.js';
import { fieldDef, objectDef } from './schema.js';
import type { JsonObject } from './soql-eval.js';
import { apiOrigin, type SalesforceStore } from './store.js';
import type { SaveError } from './validate.js';

/** Record-level failures that mean "the record in the URL is not there": 404, not 400. */
const ID_FAILURES = new Set(['INVALID_CROSS_REFERENCE_KEY', 'ENTITY_IS_DELETED', 'MALFORMED_ID']);

export class RecordRoutes {
  constructor(private readonly store: SalesforceStore) {}

  describe(req: SimRequest): SimResponse {
    const object = objectDef(req.params.object ?? '');
    return object ? { status: 200, body: describeObject(object, versionOf(req)) } : notFound();
  }

  describeGlobal(req: SimRequest): SimResponse {
    return { status: 200, body: describeGlobal(versionOf(req)) };
  }

  get(req: SimRequest): SimResponse {
    const object = objectDef(req.params.object ?? '');
    const record = this.store.find(req.params.id ?? '');
    if (!object || !record || record.deleted || record.object !== object.name) return notFound();
    const wanted = req.query
      .get('fields')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const defs = wanted ? wanted.map((name) => fieldDef(object, name)) : object.fields;
    const unknown = wanted?.find((_, i) => !defs[i]);
    if (unknown)
      return restError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${object.name}`);
    const id = String(record.fields.Id);
    const row: JsonObject = {
      attributes: {
        type: object.name,
        url: `/services/data/${versionOf(req)}/sobjects/${object.name}/${id}`,
      },
    };
    for (const def of defs) if (def) row[def.name] = record.fields[def.name] ?? null;
    return { status: 200, body: row };
  }

  /** 204 No Content on success (jsforce turns that into `{id, success: true, errors: []}`). */
  update(req: SimRequest): SimResponse {
    if (!objectDef(req.params.object ?? '')) return notFound();
    const body = isPlainObject(req.body) ? req.body : {};
    const prepared = this.store.prepareUpdate(req.params.object ?? '', req.params.id ?? '', body);
    const outcome = this.store.apply(prepared, apiOrigin(callClient(req)));
    return outcome.ok ? { status: 204 } : failure(outcome.error);
  }

  create(req: SimRequest): SimResponse {
    if (!objectDef(req.params.object ?? '')) return notFound();
    const body = isPlainObject(req.body) ? req.body : {};
    const outcome = this.store.apply(
      this.store.prepareCreate(req.params.object ?? '', body),
      apiOrigin(callClient(req)),
    );
    return outcome.ok
      ? { status: 201, body: { id: outcome.id, success: true, errors: [] } }
      : failure(outcome.error);
  }

  remove(req: SimRequest): SimResponse {
    const outcome = this.store.remove(
      req.params.object ?? '',
      req.params.id ?? '',
      apiOrigin(callClient(req)),
    );
    if (outcome.ok) return { status: 204 };
    return restError(404, outcome.error.statusCode, outcome.error.message);
  }
}

function failure(error: SaveError): SimResponse {
  const status = ID_FAILURES.has(error.statusCode) && error.fields.length === 0 ? 404 : 400;
  return restError(status, error.statusCode, error.message, error.fields);
}
