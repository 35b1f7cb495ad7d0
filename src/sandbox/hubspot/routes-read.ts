/**
 * Read endpoints of CRM objects v3: search, batch/read and single GET (API-NOTES §2.4–2.6).
 */
import type { SimRoute } from '../sim-http.js';
import { MAX_BATCH_INPUTS, type RouteContext } from './context.js';
import type { ObjectType } from './properties-data.js';
import { parseSearchRequest, runSearch } from './search.js';
import type { StoredRecord } from './store.js';
import {
  batchBody,
  fail,
  inputsOf,
  isRecord,
  objectTypeOf,
  queryList,
  recordToWire,
  shuffle,
  standardError,
  stringList,
  unknownObjectType,
  validationError,
} from './wire.js';

const LABEL: Record<ObjectType, string> = { contacts: 'CONTACT', deals: 'DEAL' };

/** Resolves an id or an `idProperty` value (only `email` is unique among the simulated properties). */
export function resolveId(
  ctx: RouteContext,
  objectType: ObjectType,
  id: string,
  idProperty: string | undefined,
): StoredRecord | undefined {
  if (idProperty === 'email' && objectType === 'contacts') {
    const found = ctx.store.contactIdByEmail(id);
    return found ? ctx.store.get(objectType, found) : undefined;
  }
  return ctx.store.get(objectType, id);
}

export function checkIdProperty(objectType: ObjectType, idProperty: unknown): string | undefined {
  if (idProperty === undefined || idProperty === null || idProperty === 'hs_object_id') return undefined;
  if (idProperty === 'email' && objectType === 'contacts') return undefined;
  return `${String(idProperty)} is not a unique property of ${objectType}`;
}

export function readRoutes(ctx: RouteContext): SimRoute[] {
  return [
    {
      method: 'POST',
      pattern: '/crm/v3/objects/:objectType/search',
      name: 'search',
      write: false,
      handler: (req) => {
        const objectType = objectTypeOf(req.params.objectType);
        if (!objectType) return unknownObjectType(req.params.objectType);
        const parsed = parseSearchRequest(objectType, req.body);
        if (!parsed.ok) return validationError(parsed.message);
        const indexed = [];
        for (const record of ctx.store.all(objectType)) {
          const properties = ctx.store.searchable(record);
          if (properties) indexed.push({ id: record.id, properties });
        }
        const { total, page, nextAfter } = runSearch(objectType, indexed, parsed.request);
        const body: Record<string, unknown> = {
          total,
          results: page.map((r) =>
            recordToWire(objectType, r.id, r.properties, { properties: parsed.request.properties }),
          ),
        };
        if (nextAfter !== undefined)
          body.paging = { next: { after: String(nextAfter), link: `?after=${nextAfter}` } };
        return { status: 200, body };
      },
    },
    {
      method: 'POST',
      pattern: '/crm/v3/objects/:objectType/batch/read',
      name: 'batch-read',
      write: false,
      handler: (req) => {
        const objectType = objectTypeOf(req.params.objectType);
        if (!objectType) return unknownObjectType(req.params.objectType);
        const inputs = inputsOf(req.body);
        if (!inputs) return validationError('Invalid input JSON: inputs is required');
        if (inputs.length > MAX_BATCH_INPUTS) return tooMany(inputs.length);
        const body = isRecord(req.body) ? req.body : {};
        const idError = checkIdProperty(objectType, body.idProperty);
        if (idError) return validationError(idError);
        const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
        const properties = stringList(body.properties);
        const propertiesWithHistory = stringList(body.propertiesWithHistory);
        const startedAt = new Date(ctx.now()).toISOString();
        const results: Array<Record<string, unknown>> = [];
        const missing: string[] = [];
        const seen = new Set<string>();
        for (const input of inputs) {
          const id = isRecord(input) && input.id !== undefined ? String(input.id) : '';
          const record = resolveId(ctx, objectType, id, idProperty);
          if (!record) {
            missing.push(id);
            continue;
          }
          if (seen.has(record.id)) continue;
          seen.add(record.id);
          results.push(
            recordToWire(objectType, record.id, record.properties, {
              properties,
              propertiesWithHistory,
              history: record.history,
            }),
          );
        }
        const shuffled = shuffle(results, results.map((r) => String(r.id)).join(','));
        if (missing.length === 0) return { status: 200, body: batchBody(shuffled, startedAt) };
        const error = standardError(
          'OBJECT_NOT_FOUND',
          `Could not get some ${LABEL[objectType]} objects, they may be deleted or not exist. Check that ids are valid.`,
          { ids: missing },
        );
        return { status: 207, body: batchBody(shuffled, startedAt, [error]) };
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/objects/:objectType/:id',
      name: 'object-get',
      write: false,
      handler: (req) => {
        const objectType = objectTypeOf(req.params.objectType);
        if (!objectType) return unknownObjectType(req.params.objectType);
        const idProperty = req.query.get('idProperty') ?? undefined;
        const idError = checkIdProperty(objectType, idProperty);
        if (idError) return validationError(idError);
        const record = resolveId(ctx, objectType, req.params.id ?? '', idProperty);
        if (!record) return fail(404, 'OBJECT_NOT_FOUND', 'resource not found');
        const associations: Record<string, { results: Array<{ id: string; type: string }> }> = {};
        for (const name of queryList(req.query, 'associations') ?? []) {
          const other = objectTypeOf(name);
          if (!other || other === objectType) continue;
          const ids = ctx.store.associated(objectType, record.id);
          const type = objectType === 'contacts' ? 'contact_to_deal' : 'deal_to_contact';
          if (ids.length > 0) associations[other] = { results: ids.map((id) => ({ id, type })) };
        }
        const wire = recordToWire(objectType, record.id, record.properties, {
          properties: queryList(req.query, 'properties'),
          propertiesWithHistory: queryList(req.query, 'propertiesWithHistory'),
          history: record.history,
          associations: Object.keys(associations).length > 0 ? associations : undefined,
        });
        return { status: 200, body: wire };
      },
    },
  ];
}

export const tooMany = (n: number) =>
  validationError(`Batch input is limited to ${MAX_BATCH_INPUTS} inputs; received ${n}.`);
