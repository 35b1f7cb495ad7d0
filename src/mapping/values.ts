/**
 * Canonical values and how each field type normalises vendor values into them. HubSpot sends every
 * property as a string ("25", "true", "1714521600000"), Salesforce sends JSON types with its own
 * datetime format ("2024-05-01T10:40:00.000+0000"); both must compare equal when they mean the same,
 * or every write would echo back as a change.
 */
import type { FieldType } from './schema.js';

export type CanonicalValue = string | number | boolean | null;
export type CanonicalFields = Record<string, CanonicalValue>;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH_MS = /^-?\d{10,}$/;

export function normalize(type: FieldType, raw: unknown): CanonicalValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string' && raw.trim() === '') return null;
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? raw : String(raw);
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      return String(raw).trim().toLowerCase() === 'true';
    case 'datetime': {
      const time = toTime(raw);
      return time === undefined ? null : new Date(time).toISOString();
    }
    case 'date': {
      if (typeof raw === 'string' && DATE_ONLY.test(raw.trim())) return raw.trim();
      const time = toTime(raw);
      return time === undefined ? null : new Date(time).toISOString().slice(0, 10);
    }
  }
}

/** Milliseconds since the epoch from an ISO string, a Salesforce `+0000` datetime or an epoch-ms string. */
export function toTime(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  const text = String(raw).trim();
  if (EPOCH_MS.test(text)) return Number(text);
  // Salesforce writes offsets without a colon (+0000), which Date.parse accepts only in some engines.
  const iso = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : time;
}

export function sameValue(a: CanonicalValue, b: CanonicalValue): boolean {
  return a === b;
}

export function isBlank(value: CanonicalValue): boolean {
  return value === null || value === '';
}
