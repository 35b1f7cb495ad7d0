/**
 * How SOQL compares values: one comparable key per field type, shared by WHERE and ORDER BY so the
 * two can never disagree (keyset paging relies on that). Text is case-insensitive, ids ordinal,
 * datetimes instants; literals of the wrong type are refused with Salesforce's message.
 */
import { normalizeId } from './ids.js';
import { type FieldDef, NUMBER_TYPES, TEXT_TYPES } from './schema.js';
import type { Literal } from './soql.js';
import { SoqlError } from './soql-lexer.js';
import { type FieldValue, parseDateTime } from './values.js';

export type Key = string | number;

/** Comparable key of a stored value; null stays null. */
export function keyOf(def: FieldDef, value: FieldValue): Key | null {
  if (value === null) return null;
  if (TEXT_TYPES.has(def.type)) return String(value).toLowerCase();
  if (def.type === 'datetime') return parseDateTime(String(value));
  if (def.type === 'boolean') return value ? 1 : 0;
  if (NUMBER_TYPES.has(def.type)) return Number(value);
  return String(value);
}

const TYPE_NAMES: Partial<Record<FieldDef['type'], string>> = {
  datetime: 'dateTime',
  int: 'int',
  double: 'double',
};

/** Key of a literal for `def`, or a SoqlError when Salesforce would refuse the literal's type. */
export function literalKey(def: FieldDef, lit: Literal, column: number): Key | null {
  if (lit.kind === 'null') return null;
  const wrongType = (): never => {
    const quoted = TEXT_TYPES.has(def.type) || def.type === 'id' || def.type === 'reference';
    throw new SoqlError(
      'INVALID_FIELD',
      column,
      `value of filter criterion for field '${def.name}' must be of type ${TYPE_NAMES[def.type] ?? (quoted ? 'string' : def.type)} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
    );
  };
  if (TEXT_TYPES.has(def.type)) return lit.kind === 'string' ? lit.value.toLowerCase() : wrongType();
  if (def.type === 'id' || def.type === 'reference') {
    if (lit.kind !== 'string') return wrongType();
    const id = normalizeId(lit.value);
    if (!id) throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', column, `invalid ID field: ${lit.value}`);
    return id;
  }
  if (def.type === 'datetime') return lit.kind === 'datetime' ? lit.value : wrongType();
  if (def.type === 'date') return lit.kind === 'date' ? lit.value : wrongType();
  if (def.type === 'boolean') return lit.kind === 'boolean' ? (lit.value ? 1 : 0) : wrongType();
  if (NUMBER_TYPES.has(def.type)) return lit.kind === 'number' ? lit.value : wrongType();
  return wrongType();
}

/** `%` any run, `_` one char, `\%` / `\_` literal; case-insensitive whole-value match. */
export function likeRegex(raw: string): RegExp {
  let source = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    if (ch === '\\' && i + 1 < raw.length) {
      source += raw.charAt(++i).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}
