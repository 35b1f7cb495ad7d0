/**
 * Value formats: how Salesforce prints datetimes and dates, and how it coerces JSON written to a field.
 */
import { type FieldDef, NUMBER_TYPES, TEXT_TYPES } from './schema.js';

export type FieldValue = string | number | boolean | null;
export type SfRecord = Record<string, FieldValue>;

/** Salesforce keeps whole seconds and prints `2024-05-01T10:40:00.000+0000`. */
export function formatDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Instant of an ISO-8601 / Salesforce datetime text; NaN when it is not one. */
export function parseDateTime(text: string): number {
  const m = DATETIME.exec(text);
  if (!m) return Number.NaN;
  const zone = m[8] ?? 'Z';
  const normalizedZone = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const frac = m[7] ? m[7].slice(0, 4).padEnd(4, '0') : '.000';
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${normalizedZone}`);
}

export function isDate(text: string): boolean {
  return DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type Coerced = { ok: true; value: FieldValue } | { ok: false; code: string; message: string };

const bad = (def: FieldDef, raw: unknown): Coerced => ({
  ok: false,
  code: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
  message: `${def.label}: value not of required type: ${String(raw)}`,
});

/**
 * The value Salesforce would store for `raw`. Empty strings become null (Salesforce never stores ''),
 * datetimes lose their milliseconds, numbers are rounded to the field's scale.
 */
export function coerce(def: FieldDef, raw: unknown): Coerced {
  if (raw === null || raw === undefined || raw === '') return { ok: true, value: null };
  if (TEXT_TYPES.has(def.type) || def.type === 'id' || def.type === 'reference') {
    if (typeof raw === 'object') return bad(def, JSON.stringify(raw));
    const text = String(raw);
    if (def.type === 'email' && !EMAIL.test(text)) {
      return {
        ok: false,
        code: 'INVALID_EMAIL_ADDRESS',
        message: `${def.label}: invalid email address: ${text}`,
      };
    }
    return { ok: true, value: text };
  }
  if (NUMBER_TYPES.has(def.type)) {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n)) return bad(def, raw);
    if (def.type === 'int' && !Number.isInteger(n)) return bad(def, raw);
    const factor = 10 ** (def.scale ?? 2);
    return { ok: true, value: Math.round(n * factor) / factor };
  }
  if (def.type === 'boolean') {
    if (typeof raw === 'boolean') return { ok: true, value: raw };
    if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
    return bad(def, raw);
  }
  if (def.type === 'date') {
    if (typeof raw !== 'string') return bad(def, raw);
    const day = raw.slice(0, 10);
    if (!isDate(day) || (raw.length > 10 && Number.isNaN(parseDateTime(raw)))) return bad(def, raw);
    return { ok: true, value: day };
  }
  if (def.type === 'datetime') {
    if (typeof raw !== 'string') return bad(def, raw);
    const ms = isDate(raw) ? Date.parse(`${raw}T00:00:00Z`) : parseDateTime(raw);
    if (Number.isNaN(ms)) return bad(def, raw);
    return { ok: true, value: formatDateTime(ms) };
  }
  return bad(def, raw);
}
