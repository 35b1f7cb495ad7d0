/**
 * CRM search semantics (API-NOTES §2.4): filterGroups are OR-ed, the filters inside a group AND-ed;
 * one sort; offset paging through `after`; at most 10,000 results reachable. Comparisons follow the
 * property type, so datetime filters take epoch-ms strings or ISO alike.
 */
import { parseTime, propertyDef } from './properties.js';
import type { ObjectType, PropertyDef } from './properties-data.js';

export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 10;
const MAX_FILTERS = 25;
const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

export interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups: Filter[][];
  sort?: { propertyName: string; descending: boolean };
  properties?: string[];
  limit: number;
  after: number;
  query?: string;
}

/** A record as the search index sees it. */
export interface Indexed {
  id: string;
  properties: Record<string, string>;
}

type Parsed = { ok: true; request: SearchRequest } | { ok: false; message: string };

export function parseSearchRequest(objectType: ObjectType, body: unknown): Parsed {
  const input = isRecord(body) ? body : {};
  const limit = input.limit === undefined ? 10 : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_MAX_LIMIT) {
    return {
      ok: false,
      message: `limit must be an integer between 0 and ${SEARCH_MAX_LIMIT} (got ${String(input.limit)})`,
    };
  }
  const after =
    input.after === undefined || input.after === null || input.after === '' ? 0 : Number(input.after);
  if (!Number.isInteger(after) || after < 0)
    return { ok: false, message: `Invalid paging cursor after=${String(input.after)}` };
  if (after >= SEARCH_RESULT_CAP) {
    return {
      ok: false,
      message: `Search results are limited to ${SEARCH_RESULT_CAP} total results; cannot page beyond them (after=${after})`,
    };
  }
  const groups = Array.isArray(input.filterGroups) ? input.filterGroups : [];
  if (groups.length > MAX_GROUPS) return { ok: false, message: `Too many filter groups (max ${MAX_GROUPS})` };
  const filterGroups: Filter[][] = [];
  let total = 0;
  for (const group of groups) {
    const filters = isRecord(group) && Array.isArray(group.filters) ? group.filters : [];
    if (filters.length > MAX_FILTERS_PER_GROUP) {
      return { ok: false, message: `Too many filters in a filter group (max ${MAX_FILTERS_PER_GROUP})` };
    }
    total += filters.length;
    const parsed: Filter[] = [];
    for (const f of filters) {
      if (!isRecord(f) || typeof f.propertyName !== 'string' || typeof f.operator !== 'string') {
        return { ok: false, message: 'Each filter needs propertyName and operator' };
      }
      if (!OPERATORS.has(f.operator)) return { ok: false, message: `Unknown operator ${f.operator}` };
      if (!propertyDef(objectType, f.propertyName)) {
        return {
          ok: false,
          message: `There was a problem with the request: property ${f.propertyName} does not exist`,
        };
      }
      const filter: Filter = { propertyName: f.propertyName, operator: f.operator };
      if (f.value !== undefined && f.value !== null) filter.value = String(f.value);
      if (f.highValue !== undefined && f.highValue !== null) filter.highValue = String(f.highValue);
      if (Array.isArray(f.values)) filter.values = f.values.map(String);
      parsed.push(filter);
    }
    filterGroups.push(parsed);
  }
  if (total > MAX_FILTERS) return { ok: false, message: `Too many filters (max ${MAX_FILTERS} in total)` };
  const request: SearchRequest = { filterGroups, limit, after };
  const sort = parseSort(Array.isArray(input.sorts) ? input.sorts[0] : undefined);
  if (sort) request.sort = sort;
  if (Array.isArray(input.properties)) request.properties = input.properties.map(String);
  if (typeof input.query === 'string' && input.query.trim()) request.query = input.query.trim().toLowerCase();
  return { ok: true, request };
}

/**
 * Accepts `{propertyName, direction}` and the string forms the SDK's `Array<string>` typing invites:
 * `"createdate"`, `"-createdate"` (descending) or a JSON-encoded object.
 */
function parseSort(raw: unknown): SearchRequest['sort'] {
  if (typeof raw === 'string') {
    if (raw.trim().startsWith('{')) {
      try {
        return parseSort(JSON.parse(raw));
      } catch {
        return undefined;
      }
    }
    const descending = raw.startsWith('-');
    return { propertyName: descending ? raw.slice(1) : raw, descending };
  }
  if (isRecord(raw) && typeof raw.propertyName === 'string') {
    return { propertyName: raw.propertyName, descending: raw.direction === 'DESCENDING' };
  }
  return undefined;
}

export function runSearch(
  objectType: ObjectType,
  records: Indexed[],
  request: SearchRequest,
): { total: number; page: Indexed[]; nextAfter?: number } {
  const matches = records.filter(
    (r) =>
      (request.filterGroups.length === 0 ||
        request.filterGroups.some((group) => group.every((f) => matchFilter(objectType, r.properties, f)))) &&
      matchQuery(r.properties, request.query),
  );
  const sort = request.sort;
  const def = sort ? propertyDef(objectType, sort.propertyName) : undefined;
  matches.sort((a, b) => {
    if (sort) {
      const order = compareValues(def, a.properties[sort.propertyName], b.properties[sort.propertyName]);
      if (order !== 0) return sort.descending ? -order : order;
    }
    // Ties: HubSpot promises no order; ascending id keeps the simulator deterministic.
    return Number(a.id) - Number(b.id);
  });
  // Nothing past the 10,000th result is reachable; the next cursor then leads to the 400.
  const next = Math.min(request.after + request.limit, SEARCH_RESULT_CAP);
  const page = matches.slice(request.after, next);
  return next < matches.length && request.limit > 0
    ? { total: matches.length, page, nextAfter: next }
    : { total: matches.length, page };
}

function matchFilter(objectType: ObjectType, props: Record<string, string>, f: Filter): boolean {
  const def = propertyDef(objectType, f.propertyName);
  const actual = props[f.propertyName];
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return actual !== undefined;
    case 'NOT_HAS_PROPERTY':
      return actual === undefined;
    case 'EQ':
      return actual !== undefined && compareValues(def, actual, f.value) === 0;
    case 'NEQ':
      return actual === undefined || compareValues(def, actual, f.value) !== 0;
    case 'IN':
      return actual !== undefined && (f.values ?? []).some((v) => compareValues(def, actual, v) === 0);
    case 'NOT_IN':
      return actual === undefined || !(f.values ?? []).some((v) => compareValues(def, actual, v) === 0);
    case 'CONTAINS_TOKEN':
      return actual !== undefined && containsToken(actual, f.value);
    case 'NOT_CONTAINS_TOKEN':
      return actual === undefined || !containsToken(actual, f.value);
  }
  if (actual === undefined) return false;
  const order = compareValues(def, actual, f.value);
  switch (f.operator) {
    case 'LT':
      return order < 0;
    case 'LTE':
      return order <= 0;
    case 'GT':
      return order > 0;
    case 'GTE':
      return order >= 0;
    case 'BETWEEN':
      return order >= 0 && compareValues(def, actual, f.highValue) <= 0;
    default:
      return false;
  }
}

/** Orders two values by the property's type; unset values sort after set ones. */
function compareValues(def: PropertyDef | undefined, a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const type = def?.type ?? 'string';
  if (type === 'number') return Number(a) - Number(b);
  if (type === 'datetime' || type === 'date')
    return (parseTime(a) ?? Number.NaN) - (parseTime(b) ?? Number.NaN) || 0;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function containsToken(actual: string, token: string | undefined): boolean {
  if (!token) return false;
  const pattern = token
    .toLowerCase()
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`(^|\\W)${pattern}($|\\W)`).test(actual.toLowerCase());
}

const QUERY_FIELDS = ['email', 'firstname', 'lastname', 'phone', 'company', 'dealname'];

function matchQuery(props: Record<string, string>, query: string | undefined): boolean {
  if (!query) return true;
  return QUERY_FIELDS.some((name) => props[name]?.toLowerCase().includes(query));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
