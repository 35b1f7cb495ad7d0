/**
 * A record's fields as the vendor sent them: a JSON object, checked as one and kept as parsed.
 * `z.record(z.string(), z.unknown())` would copy every record key by key to learn nothing more (any
 * value passes `unknown`); on pages of hundreds of records that copy was a measurable share of a sync.
 * Values stay `unknown`: the mapping's codecs decode each one and name the field when one does not fit.
 */
import { z } from 'zod';

export const fieldBagSchema = z.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
  { message: 'expected an object of field values' },
);
