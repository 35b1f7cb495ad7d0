/**
 * A codec turns one vendor field's raw value into a canonical value (decode) and back (encode). Codecs
 * may be lossy (a HubSpot employee range keeps only its lower bound, two HubSpot industries may share a
 * Salesforce one), so the sync always compares values as they would look once stored on a side:
 * `decode(encode(value))`, never the raw strings.
 */
import type { FieldPairSpec } from './schema.js';
import { type CanonicalValue, normalize } from './values.js';

/** Returned by `encode` when a value must not be written at all (`unmapped: drop`). */
export const DO_NOT_WRITE = Symbol('do-not-write');

export interface FieldCodec {
  decode(raw: unknown): CanonicalValue;
  encode(value: CanonicalValue): unknown;
}

type Transform = FieldPairSpec['transform'][number];

/**
 * `truncate` exists for Salesforce field lengths; HubSpot text properties hold 65,536 characters, so
 * truncating there would only lose data at the source.
 */
function applyTransforms(
  value: CanonicalValue,
  transforms: Transform[],
  side: 'hubspot' | 'salesforce',
): CanonicalValue {
  if (typeof value !== 'string') return value;
  let out = value;
  for (const transform of transforms) {
    if (transform === 'trim') out = out.trim();
    else if (transform === 'lowercase') out = out.toLowerCase();
    else if (transform === 'uppercase') out = out.toUpperCase();
    else if (side === 'salesforce') out = out.slice(0, transform.truncate);
  }
  return out === '' ? null : out;
}

/** HubSpot stores every property as a string; an empty string clears it. */
function toHubSpotString(value: CanonicalValue): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

export function hubspotCodec(spec: FieldPairSpec): FieldCodec {
  const ranges = spec.hubspot_ranges?.map(parseRange);
  return {
    decode(raw) {
      if (ranges && typeof raw === 'string' && raw.trim() !== '') {
        const range = ranges.find((r) => r.label === raw.trim());
        return range ? range.lower : normalize(spec.type, raw);
      }
      return normalize(spec.type, raw);
    },
    encode(value) {
      const transformed = applyTransforms(value, spec.transform, 'hubspot');
      if (ranges && typeof transformed === 'number') return rangeFor(ranges, transformed).label;
      return toHubSpotString(transformed);
    },
  };
}

/** Salesforce keeps datetimes to the whole second: compare and write at that precision or every sync rewrites. */
function toSalesforcePrecision(type: FieldPairSpec['type'], value: CanonicalValue): CanonicalValue {
  return type === 'datetime' && typeof value === 'string' ? value.replace(/\.\d{3}Z$/, '.000Z') : value;
}

/**
 * A Salesforce value equal to the field's create default (`[not provided]` for a required LastName)
 * is a placeholder, not data: it reads as blank, and blank is written back as the placeholder, so it
 * is never copied to HubSpot and a required field is never cleared.
 */
export function withPlaceholder(codec: FieldCodec, placeholder: string | undefined): FieldCodec {
  if (placeholder === undefined) return codec;
  return {
    decode: (raw) => (raw === placeholder ? null : codec.decode(raw)),
    encode: (value) => (value === null ? placeholder : codec.encode(value)),
  };
}

export function salesforceCodec(spec: FieldPairSpec): FieldCodec {
  const toSalesforce = new Map<string, string>();
  const toCanonical = new Map<string, string>();
  for (const pair of spec.value_map ?? []) {
    if (!toSalesforce.has(pair.hubspot)) toSalesforce.set(pair.hubspot, pair.salesforce);
    // Several HubSpot values may share one Salesforce value: the first listed is the canonical one.
    if (!toCanonical.has(pair.salesforce)) toCanonical.set(pair.salesforce, pair.hubspot);
  }
  const mapped = spec.value_map !== undefined;
  return {
    decode(raw) {
      const value = toSalesforcePrecision(spec.type, normalize(spec.type, raw));
      if (!mapped || typeof value !== 'string') return value;
      return toCanonical.get(value) ?? value;
    },
    encode(value) {
      let out = toSalesforcePrecision(spec.type, applyTransforms(value, spec.transform, 'salesforce'));
      if (mapped && typeof out === 'string') {
        const target = toSalesforce.get(out);
        if (target !== undefined) out = target;
        else if (spec.unmapped === 'drop') return DO_NOT_WRITE;
      }
      return out;
    },
  };
}

interface NumericRange {
  label: string;
  lower: number;
}

function parseRange(label: string): NumericRange {
  return { label, lower: Number.parseInt(label, 10) };
}

/** The range whose lower bound is the greatest one not above `n` ("25-50" holds 25..49). */
function rangeFor(ranges: NumericRange[], n: number): NumericRange {
  const sorted = [...ranges].sort((a, b) => a.lower - b.lower);
  let found = sorted[0]!;
  for (const range of sorted) if (range.lower <= n) found = range;
  return found;
}
