/**
 * Is a queued write still what the target needs? A write is planned from the target's values at
 * sync time; it may wait in its queue (rate limit, outage, backlog) while a person edits the same
 * field. Neither vendor has a conditional batch update, so the writer re-reads the target just before
 * writing and compares. Pure.
 */
import type { RawFields } from '../connector/types.js';

export type Freshness =
  /** Every field still holds the value the plan saw: write. */
  | { kind: 'current' }
  /** Every field already holds the planned value (a retry after a response that was lost). */
  | { kind: 'written' }
  /** Someone changed these fields since the plan: writing would overwrite them. */
  | { kind: 'superseded'; fields: string[] };

export interface PlannedWrite {
  fields: RawFields;
  /** The values the plan saw; a field without one (a link id Lockstep sets) is not checked. */
  previous?: Record<string, unknown>;
  /** Fields the write clears first: a blank one is the clear of an earlier attempt. */
  clearFirst?: string[];
}

export function checkFreshness(write: PlannedWrite, current: RawFields): Freshness {
  const superseded: string[] = [];
  let allWritten = true;
  for (const [field, planned] of Object.entries(write.fields)) {
    const now = current[field];
    const written = sameValue(now, planned);
    if (!written) allWritten = false;
    if (written || !write.previous || !(field in write.previous)) continue;
    if (sameValue(now, write.previous[field])) continue;
    if (write.clearFirst?.includes(field) && isBlankRaw(now)) continue;
    superseded.push(field);
  }
  if (superseded.length > 0) return { kind: 'superseded', fields: superseded };
  return allWritten ? { kind: 'written' } : { kind: 'current' };
}

/**
 * Raw values compared as the vendors return them: HubSpot sends every value as a string, Salesforce
 * numbers and booleans as JSON; blank, null and absent all mean "no value".
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isBlankRaw(a) || isBlankRaw(b)) return isBlankRaw(a) && isBlankRaw(b);
  return String(a) === String(b);
}

function isBlankRaw(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}
