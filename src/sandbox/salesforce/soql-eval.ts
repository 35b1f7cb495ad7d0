/**
 * Resolves a parsed SOQL query against the schema (INVALID_FIELD and friends, with columns) and runs
 * it over the store. Comparison follows Salesforce: text is case-insensitive (so `Email IN (...)`
 * matches any casing), ids compare ordinally in their 18-char form, datetimes compare as instants,
 * nulls sort first ascending and last descending.
 */
import { type FieldDef, fieldDef, type ObjectDef, objectDef, relationshipDef, TEXT_TYPES } from './schema.js';
import { type Condition, type FieldPath, parseSoql, type SoqlQuery } from './soql.js';
import { keyOf, likeRegex, literalKey } from './soql-compare.js';
import { SoqlError } from './soql-lexer.js';
import type { SalesforceStore, StoredRecord } from './store.js';
import type { FieldValue } from './values.js';

export { SoqlError } from './soql-lexer.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

interface Resolved {
  /** Reference fields followed, in order (`ConvertedOpportunityId` for `ConvertedOpportunity.X`). */
  hops: FieldDef[];
  /** Object reached after each hop. */
  objects: ObjectDef[];
  leaf: FieldDef;
}

type Predicate = (record: StoredRecord) => boolean;

export interface CompiledQuery {
  object: ObjectDef;
  count: boolean;
  select: Resolved[];
  where: Predicate;
  order: Array<{ path: Resolved; descending: boolean; nullsLast: boolean }>;
  limit?: number;
  offset?: number;
}

/** Parses and resolves; throws SoqlSyntaxError (MALFORMED_QUERY) or SoqlError. */
export function compileSoql(soql: string, store: SalesforceStore): CompiledQuery {
  const query: SoqlQuery = parseSoql(soql);
  const object = objectDef(query.from.name);
  if (!object) {
    throw new SoqlError(
      'INVALID_TYPE',
      query.from.column,
      `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const resolve = (p: FieldPath) => resolvePath(object, p);
  const select = query.select.map(resolve);
  const seen = new Set<string>();
  query.select.forEach((p, i) => {
    const key = canonical(select[i]!);
    if (seen.has(key)) throw new SoqlError('MALFORMED_QUERY', p.column, `duplicate field selected: ${key}`);
    seen.add(key);
  });
  return {
    object,
    count: query.count,
    select,
    where: query.where ? compileCondition(query.where, object, store) : () => true,
    order: query.orderBy.map((o) => ({
      path: resolve(o.field),
      descending: o.descending,
      nullsLast: o.nullsLast,
    })),
    limit: query.limit,
    offset: query.offset,
  };
}

/** Matching records, ordered and windowed by LIMIT / OFFSET, plus their total count. */
export function runQuery(q: CompiledQuery, store: SalesforceStore, includeDeleted: boolean): StoredRecord[] {
  let rows = store.records(q.object.name, includeDeleted).filter(q.where);
  if (q.order.length > 0) {
    const keyed = rows.map((r) => ({
      r,
      keys: q.order.map((o) => keyOf(o.path.leaf, valueAt(store, r, o.path))),
    }));
    keyed.sort((a, b) => {
      for (let i = 0; i < q.order.length; i++) {
        const o = q.order[i]!;
        const x = a.keys[i] ?? null;
        const y = b.keys[i] ?? null;
        if (x === y) continue;
        if (x === null) return o.nullsLast ? 1 : -1;
        if (y === null) return o.nullsLast ? -1 : 1;
        const c = x < y ? -1 : 1;
        return o.descending ? -c : c;
      }
      return 0;
    });
    rows = keyed.map((k) => k.r);
  }
  const start = q.offset ?? 0;
  return rows.slice(start, q.limit === undefined ? undefined : start + q.limit);
}

/** The JSON Salesforce returns for one row: selected fields, relationships as nested objects. */
export function renderRow(
  q: CompiledQuery,
  store: SalesforceStore,
  record: StoredRecord,
  version: string,
): JsonObject {
  const out: JsonObject = { attributes: attributes(q.object.name, record, version) };
  for (const path of q.select) {
    let target: JsonObject = out;
    let current: StoredRecord | undefined = record;
    let broken = false;
    path.hops.forEach((hop, i) => {
      if (broken) return;
      const name = hop.relationshipName!;
      const id = current?.fields[hop.name];
      const next = typeof id === 'string' ? store.find(id) : undefined;
      if (!next) {
        if (!(name in target)) target[name] = null;
        broken = true;
        return;
      }
      const existing = target[name];
      if (existing && typeof existing === 'object' && !Array.isArray(existing)) target = existing;
      else {
        const nested: JsonObject = { attributes: attributes(path.objects[i]!.name, next, version) };
        target[name] = nested;
        target = nested;
      }
      current = next;
    });
    if (!broken) target[path.leaf.name] = current?.fields[path.leaf.name] ?? null;
  }
  return out;
}

function attributes(type: string, record: StoredRecord, version: string): JsonObject {
  return { type, url: `/services/data/${version}/sobjects/${type}/${String(record.fields.Id)}` };
}

function canonical(path: Resolved): string {
  return [...path.hops.map((h) => h.relationshipName), path.leaf.name].join('.');
}

function resolvePath(root: ObjectDef, p: FieldPath): Resolved {
  let segments = p.path.split('.');
  // `Lead.Email` in a query on Lead: the object name may qualify a field.
  if (
    segments.length > 1 &&
    segments[0]!.toLowerCase() === root.name.toLowerCase() &&
    !relationshipDef(root, segments[0]!)
  ) {
    segments = segments.slice(1);
  }
  const hops: FieldDef[] = [];
  const objects: ObjectDef[] = [];
  let current = root;
  for (const segment of segments.slice(0, -1)) {
    const hop = relationshipDef(current, segment);
    const next = hop?.referenceTo?.[0] ? objectDef(hop.referenceTo[0]) : undefined;
    if (!hop || !next) {
      throw new SoqlError(
        'INVALID_FIELD',
        p.column,
        `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    hops.push(hop);
    objects.push(next);
    current = next;
  }
  const last = segments[segments.length - 1]!;
  const leaf = fieldDef(current, last);
  if (!leaf) {
    throw new SoqlError(
      'INVALID_FIELD',
      p.column,
      `No such column '${last}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return { hops, objects, leaf };
}

function valueAt(store: SalesforceStore, record: StoredRecord, path: Resolved): FieldValue {
  let current: StoredRecord | undefined = record;
  for (const hop of path.hops) {
    const id: FieldValue | undefined = current?.fields[hop.name];
    current = typeof id === 'string' ? store.find(id) : undefined;
    if (!current) return null;
  }
  return current?.fields[path.leaf.name] ?? null;
}

function compileCondition(c: Condition, object: ObjectDef, store: SalesforceStore): Predicate {
  switch (c.type) {
    case 'and': {
      const parts = c.operands.map((o) => compileCondition(o, object, store));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = c.operands.map((o) => compileCondition(o, object, store));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compileCondition(c.operand, object, store);
      return (r) => !inner(r);
    }
    case 'compare': {
      const path = resolvePath(object, c.field);
      const want = literalKey(path.leaf, c.value, c.column);
      const op = c.op;
      return (r) => {
        const have = keyOf(path.leaf, valueAt(store, r, path));
        if (op === '=') return have === want;
        if (op === '!=') return have !== want;
        if (have === null || want === null) return false;
        if (op === '<') return have < want;
        if (op === '<=') return have <= want;
        if (op === '>') return have > want;
        return have >= want;
      };
    }
    case 'in': {
      const path = resolvePath(object, c.field);
      const wanted = new Set(c.values.map((v) => literalKey(path.leaf, v, c.column)));
      return (r) => wanted.has(keyOf(path.leaf, valueAt(store, r, path))) !== c.negated;
    }
    case 'like': {
      const path = resolvePath(object, c.field);
      if (!TEXT_TYPES.has(path.leaf.type)) {
        throw new SoqlError('INVALID_FIELD', c.column, `invalid operator on ${path.leaf.type} field: LIKE`);
      }
      const regex = likeRegex(c.pattern);
      return (r) => {
        const value = valueAt(store, r, path);
        return value !== null && regex.test(String(value));
      };
    }
  }
}
