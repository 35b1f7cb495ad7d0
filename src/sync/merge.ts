/**
 * Three-way merge of one mapped field: the base (last synced canonical value) tells which side changed.
 * A change on one side is copied to the other; our own write echoing back merges to "no change"; a
 * change on both sides is a conflict settled by the field's rule. Values are compared as they look once
 * stored on a side, so lossy codecs (ranges, shared picklist values) never read as changes.
 */
import { DO_NOT_WRITE, type FieldCodec } from '../mapping/codecs.js';
import type { CompiledField } from '../mapping/compile.js';
import { type CanonicalValue, isBlank, sameValue } from '../mapping/values.js';

export interface FieldSides {
  hubspotRaw: unknown;
  salesforceRaw: unknown;
  /** undefined: never synced (first link). */
  base: CanonicalValue | undefined;
  hubspotModifiedAt: string;
  salesforceModifiedAt: string;
}

export interface FieldDecision {
  value: CanonicalValue;
  /** Raw value to write to HubSpot, when it really changes. */
  writeHubSpot?: unknown;
  writeSalesforce?: unknown;
  conflict?: { hubspot: CanonicalValue; salesforce: CanonicalValue; winner: 'hubspot' | 'salesforce' };
}

/** How `value` reads back once written through `codec`. */
export function storedAs(codec: FieldCodec, value: CanonicalValue): CanonicalValue {
  const encoded = codec.encode(value);
  return encoded === DO_NOT_WRITE ? value : codec.decode(encoded);
}

/**
 * Did a side change since the base? A base value the side cannot hold (`unmapped: drop`) was never
 * written there, so the side's value says nothing: treat it as unchanged rather than revert the other side.
 */
export function sideChanged(
  codec: FieldCodec,
  base: CanonicalValue | undefined,
  current: CanonicalValue,
): boolean {
  if (base === undefined) return true;
  if (codec.encode(base) === DO_NOT_WRITE) return false;
  return !sameValue(storedAs(codec, base), current);
}

export function mergeField(
  field: CompiledField,
  sides: FieldSides,
  salesforceCodec: FieldCodec = field.salesforceCodec,
): FieldDecision {
  const hs = field.hubspotCodec.decode(sides.hubspotRaw);
  const sf = salesforceCodec.decode(sides.salesforceRaw);
  const { base } = sides;
  let value: CanonicalValue;
  let conflict: FieldDecision['conflict'];

  if (field.sync === 'hubspot_to_salesforce') value = hs;
  else if (field.sync === 'salesforce_to_hubspot') value = sf;
  else {
    const hsChanged = sideChanged(field.hubspotCodec, base, hs);
    const sfChanged = sideChanged(salesforceCodec, base, sf);
    if (!hsChanged && !sfChanged) value = base as CanonicalValue;
    else if (hsChanged && !sfChanged) value = hs;
    else if (sfChanged && !hsChanged) value = sf;
    else if (sameValue(storedAs(salesforceCodec, hs), sf)) value = hs;
    else if (sameValue(storedAs(field.hubspotCodec, sf), hs)) value = sf;
    else if (base === undefined && (isBlank(hs) || isBlank(sf))) {
      // First link: a blank on one side is missing data, not a decision to clear the other side.
      value = isBlank(hs) ? sf : hs;
    } else {
      const winner = resolveConflict(field.conflict, hs, sf, sides);
      value = winner === 'hubspot' ? hs : sf;
      if (base !== undefined) conflict = { hubspot: hs, salesforce: sf, winner };
    }
  }

  const decision: FieldDecision = { value };
  if (conflict) decision.conflict = conflict;
  if (field.sync === 'both' || field.sync === 'salesforce_to_hubspot') {
    const write = plannedWrite(field.hubspotCodec, value, hs);
    if (write !== undefined) decision.writeHubSpot = write;
  }
  if (field.sync === 'both' || field.sync === 'hubspot_to_salesforce') {
    const write = plannedWrite(salesforceCodec, value, sf);
    if (write !== undefined) decision.writeSalesforce = write;
  }
  return decision;
}

/** The raw value to write, or undefined when the side already holds it (the cheapest write is none). */
function plannedWrite(codec: FieldCodec, value: CanonicalValue, current: CanonicalValue): unknown {
  const encoded = codec.encode(value);
  if (encoded === DO_NOT_WRITE) return undefined;
  return sameValue(codec.decode(encoded), current) ? undefined : encoded;
}

function resolveConflict(
  rule: CompiledField['conflict'],
  hs: CanonicalValue,
  sf: CanonicalValue,
  sides: FieldSides,
): 'hubspot' | 'salesforce' {
  switch (rule) {
    case 'prefer_hubspot':
      return 'hubspot';
    case 'prefer_salesforce':
      return 'salesforce';
    case 'prefer_hubspot_unless_blank':
      return isBlank(hs) ? 'salesforce' : 'hubspot';
    case 'prefer_salesforce_unless_blank':
      return isBlank(sf) ? 'hubspot' : 'salesforce';
    case 'newest':
      // Record-level modification times: neither API gives a per-field time on these reads.
      return Date.parse(sides.hubspotModifiedAt) >= Date.parse(sides.salesforceModifiedAt)
        ? 'hubspot'
        : 'salesforce';
  }
}
