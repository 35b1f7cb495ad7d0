/**
 * HubSpot wire shapes shared by the route files: the standard error body (API-NOTES §2.2), the
 * `SimplePublicObject` record shape (§2.4–2.6) and the batch envelope, plus request-body helpers.
 */
import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../sim-http.js';
import { propertyDef } from './properties.js';
import {
  DEFAULT_READ_PROPERTIES,
  MODIFIED_PROPERTY,
  OBJECT_TYPE_IDS,
  type ObjectType,
} from './properties-data.js';
import { isRecord } from './search.js';
import type { HistoryEntry } from './store.js';

export { isRecord };

export function errorBody(
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function fail(
  status: number,
  category: string,
  message: string,
  extra?: Record<string, unknown>,
): SimResponse {
  return { status, body: errorBody(category, message, extra) };
}

export const validationError = (message: string): SimResponse => fail(400, 'VALIDATION_ERROR', message);

export const UNAUTHORIZED_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

/** Route `:objectType` → the simulated object, accepting names and type ids (`0-1`). */
export function objectTypeOf(raw: string | undefined): ObjectType | undefined {
  const name = (raw ?? '').toLowerCase();
  if (name === 'contacts' || name === 'contact' || name === OBJECT_TYPE_IDS.contacts) return 'contacts';
  if (name === 'deals' || name === 'deal' || name === OBJECT_TYPE_IDS.deals) return 'deals';
  return undefined;
}

export const unknownObjectType = (raw: string | undefined): SimResponse =>
  fail(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${raw ?? ''}`);

export interface WireOptions {
  /** Property names asked for; undefined = the object's default set. */
  properties?: string[];
  propertiesWithHistory?: string[];
  history?: Record<string, HistoryEntry[]>;
  associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
}

/**
 * A record as `SimplePublicObject`: requested properties as strings (null when unset) plus the three
 * HubSpot always returns (`createdate`, last-modified, `hs_object_id`); unknown names are skipped.
 */
export function recordToWire(
  objectType: ObjectType,
  id: string,
  properties: Record<string, string>,
  options: WireOptions = {},
): Record<string, unknown> {
  const modified = MODIFIED_PROPERTY[objectType];
  const names = new Set(options.properties ?? DEFAULT_READ_PROPERTIES[objectType]);
  for (const always of ['createdate', modified, 'hs_object_id']) names.add(always);
  const out: Record<string, string | null> = {};
  for (const name of names) {
    if (!propertyDef(objectType, name)) continue;
    out[name] = properties[name] ?? null;
  }
  const wire: Record<string, unknown> = { id, properties: out };
  if (options.propertiesWithHistory?.length) {
    const withHistory: Record<string, HistoryEntry[]> = {};
    for (const name of options.propertiesWithHistory) {
      if (!propertyDef(objectType, name)) continue;
      withHistory[name] = (options.history?.[name] ?? []).map((h) => ({ ...h }));
    }
    wire.propertiesWithHistory = withHistory;
  }
  if (options.associations) wire.associations = options.associations;
  wire.createdAt = properties.createdate;
  wire.updatedAt = properties[modified];
  wire.archived = false;
  return wire;
}

/** The batch envelope; `errors` turns it into the 207 `...WithErrors` variant. */
export function batchBody(
  results: unknown[],
  startedAt: string,
  errors: Array<Record<string, unknown>> = [],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    requestedAt: startedAt,
    startedAt,
    completedAt: new Date().toISOString(),
  };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  body.links = {};
  return body;
}

/** A per-input error inside a 207 batch answer (StandardError). */
export function standardError(
  category: string,
  message: string,
  context: Record<string, string[]>,
): Record<string, unknown> {
  return { status: 'error', category, message, context, errors: [], links: {} };
}

/**
 * HubSpot does not promise batch results in input order (API-NOTES §2.5), so neither does the
 * simulator: a deterministic shuffle seeded by the ids, never the identity for two or more results.
 */
export function shuffle<T>(items: T[], seedText: string): T[] {
  const out = [...items];
  let seed = 2166136261;
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619) >>> 0;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  if (out.length > 1 && out.every((item, i) => item === items[i])) out.push(out.shift() as T);
  return out;
}

/** `inputs` of a batch body, or undefined when absent / not an array. */
export function inputsOf(body: unknown): unknown[] | undefined {
  return isRecord(body) && Array.isArray(body.inputs) ? body.inputs : undefined;
}

export function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value) return value.split(',');
  return undefined;
}

/** Repeated or comma-separated query params (`properties=a&properties=b,c`). */
export function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const all = query.getAll(name);
  if (all.length === 0) return undefined;
  return all.flatMap((v) => v.split(',')).filter(Boolean);
}
