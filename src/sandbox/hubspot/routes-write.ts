/**
 * Write endpoints of CRM objects v3: batch create/update/upsert, single create and PATCH
 * (API-NOTES §2.5–2.6). Validation is all-or-nothing per call: one bad value anywhere fails the
 * whole batch with 400 and nothing is committed. Results come back in a shuffled order.
 */
import type { SimResponse, SimRoute } from '../sim-http.js';
import { MAX_BATCH_INPUTS, type RouteContext } from './context.js';
import { normalizeProperties, type PropertyError, propertyErrorMessage } from './properties.js';
import type { ObjectType } from './properties-data.js';
import { checkIdProperty, resolveId, tooMany } from './routes-read.js';
import type { StoredRecord, WriteOutcome } from './store.js';
import {
  batchBody,
  fail,
  inputsOf,
  isRecord,
  objectTypeOf,
  recordToWire,
  shuffle,
  standardError,
  unknownObjectType,
  validationError,
} from './wire.js';

interface PreparedInput {
  id: string;
  idProperty?: string;
  values: Record<string, string>;
  /** Deal / contact ids from `associations[].to.id` on create. */
  associateWith: string[];
}

type Prepared = { ok: true; inputs: PreparedInput[] } | { ok: false; response: SimResponse };

/** Parses and validates every input before anything is written. */
function prepare(objectType: ObjectType, body: unknown, needsId: boolean): Prepared {
  const inputs = inputsOf(body);
  if (!inputs) return { ok: false, response: validationError('Invalid input JSON: inputs is required') };
  if (inputs.length > MAX_BATCH_INPUTS) return { ok: false, response: tooMany(inputs.length) };
  const prepared: PreparedInput[] = [];
  const errors: PropertyError[] = [];
  for (const input of inputs) {
    if (!isRecord(input) || !isRecord(input.properties)) {
      return {
        ok: false,
        response: validationError('Invalid input JSON: every input needs a properties object'),
      };
    }
    const id = input.id === undefined || input.id === null ? '' : String(input.id);
    if (needsId && !id)
      return { ok: false, response: validationError('Invalid input JSON: every input needs an id') };
    const idError = checkIdProperty(objectType, input.idProperty);
    if (idError) return { ok: false, response: validationError(idError) };
    const normalized = normalizeProperties(objectType, input.properties, { allowReadOnly: false });
    errors.push(...normalized.errors);
    const item: PreparedInput = {
      id,
      values: normalized.values,
      associateWith: associationTargets(input.associations),
    };
    if (typeof input.idProperty === 'string' && input.idProperty !== 'hs_object_id')
      item.idProperty = input.idProperty;
    prepared.push(item);
  }
  if (errors.length > 0) return { ok: false, response: validationError(propertyErrorMessage(errors)) };
  return { ok: true, inputs: prepared };
}

function associationTargets(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((a) =>
    isRecord(a) && isRecord(a.to) && a.to.id !== undefined ? [String(a.to.id)] : [],
  );
}

/** 409 when an email to be written already belongs to another contact (HubSpot names the first one). */
function emailConflict(
  ctx: RouteContext,
  objectType: ObjectType,
  writes: Array<{ email?: string; selfId?: string }>,
) {
  if (objectType !== 'contacts') return undefined;
  const seen = new Map<string, string>();
  for (const { email, selfId } of writes) {
    if (!email) continue;
    const owner = ctx.store.contactIdByEmail(email);
    if (owner && owner !== selfId)
      return fail(409, 'CONFLICT', `Contact already exists. Existing ID: ${owner}`);
    if (seen.has(email) && seen.get(email) !== selfId) {
      return validationError(`Duplicate emails found in batch input: [${email}]`);
    }
    seen.set(email, selfId ?? '');
  }
  return undefined;
}

function linkAll(ctx: RouteContext, objectType: ObjectType, id: string, others: string[]): void {
  for (const other of others) {
    if (objectType === 'contacts' && ctx.store.get('deals', other)) ctx.store.associate(id, other);
    if (objectType === 'deals' && ctx.store.get('contacts', other)) ctx.store.associate(other, id);
  }
}

const wireOf = (objectType: ObjectType, outcome: WriteOutcome, written: Record<string, string>) =>
  recordToWire(objectType, outcome.record.id, outcome.record.properties, {
    properties: Object.keys(written),
  });

const seedOf = (results: Array<Record<string, unknown>>) => results.map((r) => String(r.id)).join(',');

export function writeRoutes(ctx: RouteContext): SimRoute[] {
  const api = ctx.apiSource;
  const typed = (raw: string | undefined, run: (objectType: ObjectType) => SimResponse) => {
    const objectType = objectTypeOf(raw);
    return objectType ? run(objectType) : unknownObjectType(raw);
  };

  const create = (objectType: ObjectType, inputs: PreparedInput[]): WriteOutcome[] =>
    inputs.map((input) => {
      const outcome = ctx.store.create(objectType, input.values, api);
      linkAll(ctx, objectType, outcome.record.id, input.associateWith);
      return outcome;
    });

  return [
    {
      method: 'POST',
      pattern: '/crm/v3/objects/:objectType/batch/create',
      name: 'batch-create',
      write: true,
      handler: (req) =>
        typed(req.params.objectType, (objectType) => {
          const prepared = prepare(objectType, req.body, false);
          if (!prepared.ok) return prepared.response;
          const conflict = emailConflict(
            ctx,
            objectType,
            prepared.inputs.map((i) => ({ email: i.values.email })),
          );
          if (conflict) return conflict;
          const startedAt = new Date(ctx.now()).toISOString();
          const outcomes = create(objectType, prepared.inputs);
          ctx.noteWrite('batch-create', outcomes.length, 0);
          const results = outcomes.map((o, i) => wireOf(objectType, o, prepared.inputs[i]?.values ?? {}));
          return { status: 201, body: batchBody(shuffle(results, seedOf(results)), startedAt) };
        }),
    },
    {
      method: 'POST',
      pattern: '/crm/v3/objects/:objectType/batch/update',
      name: 'batch-update',
      write: true,
      handler: (req) =>
        typed(req.params.objectType, (objectType) => {
          const prepared = prepare(objectType, req.body, true);
          if (!prepared.ok) return prepared.response;
          const targets = prepared.inputs.map((input) => ({
            input,
            record: resolveId(ctx, objectType, input.id, input.idProperty),
          }));
          const ids = targets.flatMap((t) => (t.record ? [t.record.id] : []));
          const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
          if (dupes.length > 0)
            return validationError(`Duplicate IDs found in batch input: [${[...new Set(dupes)]}]`);
          const conflict = emailConflict(
            ctx,
            objectType,
            targets.map((t) => ({ email: t.input.values.email, selfId: t.record?.id })),
          );
          if (conflict) return conflict;
          const startedAt = new Date(ctx.now()).toISOString();
          const results: Array<Record<string, unknown>> = [];
          const missing: string[] = [];
          let unchanged = 0;
          for (const { input, record } of targets) {
            const outcome = record && update(ctx, objectType, record, input.values);
            if (!outcome) {
              missing.push(input.id);
              continue;
            }
            if (outcome.changed.length === 0) unchanged += 1;
            results.push(wireOf(objectType, outcome, input.values));
          }
          ctx.noteWrite('batch-update', results.length, unchanged);
          const shuffled = shuffle(results, seedOf(results));
          if (missing.length === 0) return { status: 200, body: batchBody(shuffled, startedAt) };
          const error = standardError(
            'OBJECT_NOT_FOUND',
            'Could not find some objects to update. Check that ids are valid.',
            {
              ids: missing,
            },
          );
          return { status: 207, body: batchBody(shuffled, startedAt, [error]) };
        }),
    },
    {
      method: 'POST',
      pattern: '/crm/v3/objects/:objectType/batch/upsert',
      name: 'batch-upsert',
      write: true,
      handler: (req) =>
        typed(req.params.objectType, (objectType) => {
          const prepared = prepare(objectType, req.body, true);
          if (!prepared.ok) return prepared.response;
          if (objectType !== 'contacts' || prepared.inputs.some((i) => i.idProperty !== 'email')) {
            return validationError('Upsert requires idProperty to be a unique property (email for contacts)');
          }
          const writes = prepared.inputs.map((input) => {
            const email = input.id.trim().toLowerCase();
            return { input, email, record: resolveId(ctx, objectType, email, 'email') };
          });
          const emails = writes.map((w) => w.email);
          const dupes = emails.filter((e, i) => emails.indexOf(e) !== i);
          if (dupes.length > 0)
            return validationError(`Duplicate IDs found in batch input: [${[...new Set(dupes)]}]`);
          const startedAt = new Date(ctx.now()).toISOString();
          const results: Array<Record<string, unknown>> = [];
          let unchanged = 0;
          for (const { input, email, record } of writes) {
            const values = { ...input.values, email };
            const outcome = record
              ? update(ctx, objectType, record, values)
              : ctx.store.create(objectType, values, api);
            if (!outcome) continue;
            if (record && outcome.changed.length === 0) unchanged += 1;
            results.push({ ...wireOf(objectType, outcome, values), new: !record });
          }
          ctx.noteWrite('batch-upsert', results.length, unchanged);
          return { status: 200, body: batchBody(shuffle(results, seedOf(results)), startedAt) };
        }),
    },
    {
      method: 'POST',
      pattern: '/crm/v3/objects/:objectType',
      name: 'object-create',
      write: true,
      handler: (req) =>
        typed(req.params.objectType, (objectType) => {
          const prepared = prepare(objectType, { inputs: [req.body] }, false);
          if (!prepared.ok) return prepared.response;
          const input = prepared.inputs[0] as PreparedInput;
          const conflict = emailConflict(ctx, objectType, [{ email: input.values.email }]);
          if (conflict) return conflict;
          const [outcome] = create(objectType, [input]);
          ctx.noteWrite('object-create', 1, 0);
          return { status: 201, body: wireOf(objectType, outcome as WriteOutcome, input.values) };
        }),
    },
    {
      method: 'PATCH',
      pattern: '/crm/v3/objects/:objectType/:id',
      name: 'object-update',
      write: true,
      handler: (req) =>
        typed(req.params.objectType, (objectType) => {
          const idProperty = req.query.get('idProperty') ?? undefined;
          const body = isRecord(req.body) ? { ...req.body, id: req.params.id, idProperty } : req.body;
          const prepared = prepare(objectType, { inputs: [body] }, true);
          if (!prepared.ok) return prepared.response;
          const input = prepared.inputs[0] as PreparedInput;
          const record = resolveId(ctx, objectType, input.id, idProperty);
          if (!record) return fail(404, 'OBJECT_NOT_FOUND', 'resource not found');
          const conflict = emailConflict(ctx, objectType, [{ email: input.values.email, selfId: record.id }]);
          if (conflict) return conflict;
          const outcome = update(ctx, objectType, record, input.values) as WriteOutcome;
          ctx.noteWrite('object-update', 1, outcome.changed.length === 0 ? 1 : 0);
          return { status: 200, body: wireOf(objectType, outcome, input.values) };
        }),
    },
  ];
}

function update(
  ctx: RouteContext,
  objectType: ObjectType,
  record: StoredRecord,
  values: Record<string, string>,
): WriteOutcome | undefined {
  return ctx.store.update(objectType, record.id, values, ctx.apiSource, { forwardOnlyLifecycle: true });
}
