/**
 * Outgoing property values. HubSpot stores every property as a string (API-NOTES §2.4, §6.10):
 * numbers "17", booleans "true", multi-checkbox "a;b", and "" clears a value (§2.6).
 */
import type { RawFields, RecordWriteError } from '../../src/connector/types.js';

export type EncodedProperties =
  | { ok: true; properties: Record<string, string> }
  | { ok: false; error: RecordWriteError };

function encodeValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(';');
  return undefined;
}

/** One value HubSpot cannot take fails only its own record, as a permanent error. */
export function encodeProperties(fields: RawFields): EncodedProperties {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const encoded = encodeValue(value);
    if (encoded === undefined) {
      return {
        ok: false,
        error: {
          kind: 'permanent',
          code: 'INVALID_VALUE',
          message: `Property ${name} has a value HubSpot cannot store: ${String(value)}`,
          fields: [name],
        },
      };
    }
    properties[name] = encoded;
  }
  return { ok: true, properties };
}
