/**
 * Associations v4 between contacts and deals (API-NOTES §2.11): list, default and typed PUT, DELETE,
 * and the batch read / create / associate-default / archive endpoints. Only the unlabeled
 * HUBSPOT_DEFINED types exist here: contact→deal 4, deal→contact 3.
 */
import type { SimResponse, SimRoute } from '../sim-http.js';
import { MAX_BATCH_INPUTS, type RouteContext } from './context.js';
import { OBJECT_TYPE_IDS, type ObjectType } from './properties-data.js';
import { tooMany } from './routes-read.js';
import { batchBody, fail, inputsOf, isRecord, objectTypeOf, standardError, validationError } from './wire.js';

const TYPE_ID: Record<ObjectType, number> = { contacts: 4, deals: 3 };
const LIST_LIMIT = 500;

const typeOf = (from: ObjectType) => [{ category: 'HUBSPOT_DEFINED', typeId: TYPE_ID[from], label: null }];
const specOf = (from: ObjectType) => ({
  associationCategory: 'HUBSPOT_DEFINED',
  associationTypeId: TYPE_ID[from],
});

interface Pair {
  from: ObjectType;
  to: ObjectType;
}

/** The two object types of a route, when they are contacts and deals in either direction. */
function pairOf(fromRaw: string | undefined, toRaw: string | undefined): Pair | undefined {
  const from = objectTypeOf(fromRaw);
  const to = objectTypeOf(toRaw);
  return from && to && from !== to ? { from, to } : undefined;
}

const badPair = (p: Record<string, string>): SimResponse =>
  validationError(
    `Unsupported association between ${p.fromObjectType ?? p.objectType} and ${p.toObjectType}`,
  );

export function associationRoutes(ctx: RouteContext): SimRoute[] {
  const store = ctx.store;
  const exists = (type: ObjectType, id: string) => store.get(type, id) !== undefined;
  /** Links `a` (of type `from`) to `b`, whatever the direction of the route. */
  const link = (pair: Pair, a: string, b: string) =>
    pair.from === 'contacts' ? store.associate(a, b) : store.associate(b, a);
  const unlink = (pair: Pair, a: string, b: string) =>
    pair.from === 'contacts' ? store.dissociate(a, b) : store.dissociate(b, a);
  const missingObject = (pair: Pair, a: string, b: string) =>
    !exists(pair.from, a) ? `${pair.from} ${a}` : !exists(pair.to, b) ? `${pair.to} ${b}` : undefined;

  /** `{from:{id}, to:{id}}` inputs of a batch body, validated. */
  const pairsOf = (body: unknown): Array<{ a: string; b: string }> | SimResponse => {
    const inputs = inputsOf(body);
    if (!inputs) return validationError('Invalid input JSON: inputs is required');
    if (inputs.length > MAX_BATCH_INPUTS) return tooMany(inputs.length);
    const out: Array<{ a: string; b: string }> = [];
    for (const input of inputs) {
      if (!isRecord(input) || !isRecord(input.from) || !isRecord(input.to)) {
        return validationError('Invalid input JSON: every input needs from.id and to.id');
      }
      out.push({ a: String(input.from.id), b: String(input.to.id) });
    }
    return out;
  };

  return [
    {
      method: 'GET',
      pattern: '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType',
      name: 'associations-list',
      write: false,
      handler: (req) => {
        const pair = pairOf(req.params.objectType, req.params.toObjectType);
        if (!pair) return badPair(req.params);
        const id = req.params.objectId ?? '';
        if (!exists(pair.from, id)) return fail(404, 'OBJECT_NOT_FOUND', `${pair.from} ${id} does not exist`);
        const limit = Math.min(Number(req.query.get('limit') ?? LIST_LIMIT) || LIST_LIMIT, LIST_LIMIT);
        const after = Number(Buffer.from(req.query.get('after') ?? '', 'base64').toString('utf8')) || 0;
        const all = store.associated(pair.from, id);
        const page = all.slice(after, after + limit);
        const body: Record<string, unknown> = {
          results: page.map((to) => ({ toObjectId: Number(to), associationTypes: typeOf(pair.from) })),
        };
        if (after + limit < all.length) {
          const next = Buffer.from(String(after + limit)).toString('base64');
          body.paging = { next: { after: next, link: `?after=${next}` } };
        }
        return { status: 200, body };
      },
    },
    {
      method: 'PUT',
      pattern: '/crm/v4/objects/:objectType/:objectId/associations/default/:toObjectType/:toObjectId',
      name: 'associations-put-default',
      write: true,
      handler: (req) => {
        const pair = pairOf(req.params.objectType, req.params.toObjectType);
        if (!pair) return badPair(req.params);
        const a = req.params.objectId ?? '';
        const b = req.params.toObjectId ?? '';
        const missing = missingObject(pair, a, b);
        if (missing) return fail(404, 'OBJECT_NOT_FOUND', `${missing} does not exist`);
        ctx.noteWrite('associations-put-default', 1, link(pair, a, b) ? 0 : 1);
        const now = new Date(ctx.now()).toISOString();
        const result = { from: { id: a }, to: { id: b }, associationSpec: specOf(pair.from) };
        return { status: 200, body: batchBody([result], now) };
      },
    },
    {
      method: 'PUT',
      pattern: '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId',
      name: 'associations-put',
      write: true,
      handler: (req) => {
        const pair = pairOf(req.params.objectType, req.params.toObjectType);
        if (!pair) return badPair(req.params);
        const a = req.params.objectId ?? '';
        const b = req.params.toObjectId ?? '';
        const missing = missingObject(pair, a, b);
        if (missing) return fail(404, 'OBJECT_NOT_FOUND', `${missing} does not exist`);
        ctx.noteWrite('associations-put', 1, link(pair, a, b) ? 0 : 1);
        const body = {
          fromObjectTypeId: OBJECT_TYPE_IDS[pair.from],
          fromObjectId: Number(a),
          toObjectTypeId: OBJECT_TYPE_IDS[pair.to],
          toObjectId: Number(b),
          labels: [],
        };
        return { status: 201, body };
      },
    },
    {
      method: 'DELETE',
      pattern: '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId',
      name: 'associations-delete',
      write: true,
      handler: (req) => {
        const pair = pairOf(req.params.objectType, req.params.toObjectType);
        if (!pair) return badPair(req.params);
        const removed = unlink(pair, req.params.objectId ?? '', req.params.toObjectId ?? '');
        ctx.noteWrite('associations-delete', 1, removed ? 0 : 1);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/crm/v4/associations/:fromObjectType/:toObjectType/batch/read',
      name: 'associations-batch-read',
      write: false,
      handler: (req) => {
        const pair = pairOf(req.params.fromObjectType, req.params.toObjectType);
        if (!pair) return badPair(req.params);
        const inputs = inputsOf(req.body);
        if (!inputs) return validationError('Invalid input JSON: inputs is required');
        if (inputs.length > MAX_BATCH_INPUTS) return tooMany(inputs.length);
        const startedAt = new Date(ctx.now()).toISOString();
        const results: Array<Record<string, unknown>> = [];
        const missing: string[] = [];
        for (const input of inputs) {
          const id = isRecord(input) ? String(input.id) : '';
          if (!exists(pair.from, id)) {
            missing.push(id);
            continue;
          }
          const to = store
            .associated(pair.from, id)
            .map((t) => ({ toObjectId: Number(t), associationTypes: typeOf(pair.from) }));
          results.push({ from: { id }, to });
        }
        if (missing.length === 0) return { status: 200, body: batchBody(results, startedAt) };
        const error = standardError(
          'OBJECT_NOT_FOUND',
          `Could not find some ${pair.from} objects. Check that ids are valid.`,
          {
            ids: missing,
          },
        );
        return { status: 207, body: batchBody(results, startedAt, [error]) };
      },
    },
    ...(['create', 'associate/default'] as const).map(
      (kind): SimRoute => ({
        method: 'POST',
        pattern: `/crm/v4/associations/:fromObjectType/:toObjectType/batch/${kind}`,
        name: kind === 'create' ? 'associations-batch-create' : 'associations-batch-associate-default',
        write: true,
        handler: (req) => {
          const pair = pairOf(req.params.fromObjectType, req.params.toObjectType);
          if (!pair) return badPair(req.params);
          const pairs = pairsOf(req.body);
          if (!Array.isArray(pairs)) return pairs;
          const missing = pairs.map(({ a, b }) => missingObject(pair, a, b)).find(Boolean);
          if (missing) return fail(400, 'VALIDATION_ERROR', `${missing} does not exist`);
          const startedAt = new Date(ctx.now()).toISOString();
          const unchanged = pairs.filter(({ a, b }) => !link(pair, a, b)).length;
          ctx.noteWrite(
            kind === 'create' ? 'associations-batch-create' : 'associations-batch-associate-default',
            pairs.length,
            unchanged,
          );
          const results = pairs.map(({ a, b }) =>
            kind === 'create'
              ? {
                  fromObjectTypeId: OBJECT_TYPE_IDS[pair.from],
                  fromObjectId: Number(a),
                  toObjectTypeId: OBJECT_TYPE_IDS[pair.to],
                  toObjectId: Number(b),
                  labels: [],
                }
              : { from: { id: a }, to: { id: b }, associationSpec: specOf(pair.from) },
          );
          return { status: kind === 'create' ? 201 : 200, body: batchBody(results, startedAt) };
        },
      }),
    ),
    {
      method: 'POST',
      pattern: '/crm/v4/associations/:fromObjectType/:toObjectType/batch/archive',
      name: 'associations-batch-archive',
      write: true,
      handler: (req) => {
        const pair = pairOf(req.params.fromObjectType, req.params.toObjectType);
        if (!pair) return badPair(req.params);
        const inputs = inputsOf(req.body);
        if (!inputs) return validationError('Invalid input JSON: inputs is required');
        let removed = 0;
        for (const input of inputs) {
          if (!isRecord(input) || !isRecord(input.from) || !Array.isArray(input.to)) continue;
          for (const to of input.to) {
            if (isRecord(to) && unlink(pair, String(input.from.id), String(to.id))) removed += 1;
          }
        }
        ctx.noteWrite('associations-batch-archive', inputs.length, removed === 0 ? inputs.length : 0);
        return { status: 204 };
      },
    },
  ];
}
