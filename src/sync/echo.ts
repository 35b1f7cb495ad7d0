/**
 * Does a changed record still hold exactly what the last sync agreed (the base)? Then a sync of it
 * can change nothing: it is Lockstep's own write coming back (an echo), or an edit to fields no
 * mapping covers. The poller drops such records instead of queueing a sync that would read both
 * systems only to find nothing to do. Pure.
 */
import { withPlaceholder } from '../mapping/codecs.js';
import type { MappingConfig } from '../mapping/compile.js';
import type { CanonicalFields } from '../mapping/values.js';
import { deriveStage } from './lifecycle.js';
import { sideChanged } from './merge.js';
import { type Side, STAGE_KEY } from './side.js';

/** The record on the other side the changed record is linked to. */
export interface Partner {
  object: string;
  id: string;
}

export function holdsBase(
  mapping: MappingConfig,
  side: Side,
  base: CanonicalFields | null,
  partner: Partner,
): boolean {
  if (!base) return false;
  // A missing link id is written by the next sync.
  if (side.system === 'hubspot') {
    const property = mapping.identity.hubspotLinkProperty[partner.object as 'Lead' | 'Contact'];
    if (!property || side.raw[property] !== partner.id) return false;
  } else if (side.raw[mapping.identity.salesforceLinkField] !== partner.id) return false;
  if (side.system === 'salesforce' && side.raw.IsConverted === true) return false;

  const defaults =
    side.system === 'salesforce' ? (mapping.identity.salesforceDefaults[side.object] ?? {}) : {};
  for (const field of mapping.fields) {
    if (field.sync === 'none') continue;
    const name = side.system === 'hubspot' ? field.hubspot : field.salesforce[side.object];
    if (!name) continue;
    const codec =
      side.system === 'hubspot' ? field.hubspotCodec : withPlaceholder(field.salesforceCodec, defaults[name]);
    // Any difference, in either sync direction: a one-way field edited on its target side is reverted
    // by the sync, so it must run.
    if (sideChanged(codec, base[field.canonical], codec.decode(side.raw[name]))) return false;
  }

  const stored = base[STAGE_KEY];
  const baseStage = typeof stored === 'string' ? stored : undefined;
  const object = side.system === 'salesforce' ? side.object : undefined;
  return deriveStage(mapping.lifecycle, side.system, side.raw, baseStage, object) === (baseStage ?? null);
}
