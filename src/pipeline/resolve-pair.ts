/**
 * Finds the other half of a changed record: crosswalk, then the link id stored in the record, then a
 * unique email match (DESIGN.md §1 step 2). I/O around the pure `resolveIdentity`.
 */
import type { SourceRecord } from '../connector/types.js';
import { isSalesforceObject, type SalesforceObject } from '../mapping/compile.js';
import { type IdentityDecision, normalizeEmail, type OtherRef, resolveIdentity } from '../sync/identity.js';
import type { SyncContext } from './context.js';
import type { ChangeJob } from './queues.js';

export type PairResolution =
  | { kind: 'linked'; hubspot: SourceRecord; salesforce: SourceRecord; via: string }
  | { kind: 'create'; source: SourceRecord }
  | { kind: 'ambiguous'; reason: string };

export async function resolvePair(
  ctx: SyncContext,
  change: ChangeJob,
  record: SourceRecord,
): Promise<PairResolution> {
  const fromHubSpot = change.system === 'hubspot';
  const decision = await decide(ctx, fromHubSpot, record);
  if (decision.kind === 'create') return { kind: 'create', source: record };
  if (decision.kind === 'ambiguous') return { kind: 'ambiguous', reason: decision.reason };
  const reader = fromHubSpot ? ctx.readers.salesforce : ctx.readers.hubspot;
  const other = await reader.read(decision.other.object, decision.other.id);
  if (!other) {
    // The linked record is gone (deleted or merged): forget the link and match again.
    if (decision.via === 'crosswalk') await ctx.crosswalk.unlink(fromHubSpot ? record.id : decision.other.id);
    const retry = await decide(ctx, fromHubSpot, record, true);
    if (retry.kind !== 'linked')
      return retry.kind === 'create'
        ? { kind: 'create', source: record }
        : { kind: 'ambiguous', reason: retry.reason };
    const again = await reader.read(retry.other.object, retry.other.id);
    if (!again) return { kind: 'create', source: record };
    return pair(fromHubSpot, record, again, retry.via);
  }
  return pair(fromHubSpot, record, other, decision.via);
}

function pair(fromHubSpot: boolean, record: SourceRecord, other: SourceRecord, via: string): PairResolution {
  return fromHubSpot
    ? { kind: 'linked', hubspot: record, salesforce: other, via }
    : { kind: 'linked', hubspot: other, salesforce: record, via };
}

async function decide(
  ctx: SyncContext,
  fromHubSpot: boolean,
  record: SourceRecord,
  skipLinks = false,
): Promise<IdentityDecision> {
  const { identity } = ctx.mapping;
  let crosswalk: OtherRef | undefined;
  let storedLink: OtherRef | undefined;
  if (!skipLinks) {
    if (fromHubSpot) {
      crosswalk = await ctx.crosswalk.bySalesforceOfHubSpot(record.id);
      const contactId = record.fields[identity.hubspotLinkProperty.Contact];
      const leadId = record.fields[identity.hubspotLinkProperty.Lead];
      if (typeof contactId === 'string' && contactId) storedLink = { object: 'Contact', id: contactId };
      else if (typeof leadId === 'string' && leadId) storedLink = { object: 'Lead', id: leadId };
      if (!crosswalk && storedLink) {
        const owner = await ctx.crosswalk.hubSpotOfSalesforce(storedLink.id);
        if (owner && owner !== record.id) return conflictingLink(record.id, storedLink, owner);
      }
    } else {
      const hubspotId = await ctx.crosswalk.hubSpotOfSalesforce(record.id);
      if (hubspotId) crosswalk = { object: 'contacts', id: hubspotId };
      const stored = record.fields[identity.salesforceLinkField];
      if (typeof stored === 'string' && stored) storedLink = { object: 'contacts', id: stored };
      if (!crosswalk && storedLink) {
        // A cloned record carries the original's link id: never take over a live pair on its word.
        const owner = await ctx.crosswalk.bySalesforceOfHubSpot(storedLink.id);
        if (owner && owner.id !== record.id)
          return conflictingLink(record.id, storedLink, `${owner.object} ${owner.id}`);
      }
    }
  }
  const email = normalizeEmail(record.fields.email ?? record.fields.Email);
  const candidates =
    email && !crosswalk && !storedLink ? await candidatesFor(ctx, fromHubSpot, email, record.id) : [];
  return resolveIdentity({ crosswalk, storedLink, email, candidates, selfId: record.id });
}

async function candidatesFor(ctx: SyncContext, fromHubSpot: boolean, email: string, selfId: string) {
  if (fromHubSpot) {
    const objects = ctx.mapping.salesforceObjects;
    const found = (
      await Promise.all(objects.map((object) => ctx.readers.salesforce.findByEmail(object, email)))
    ).flat();
    // A converted lead lives on as its Contact: never match the read-only lead itself.
    const live = found.filter((r) => !(r.object === 'Lead' && r.fields.IsConverted === true));
    const linked = await ctx.crosswalk.hubSpotOfSalesforceMany(live.map((r) => r.id));
    return live.map((r) => ({ object: r.object, id: r.id, linkedTo: linked.get(r.id) }));
  }
  const found = await ctx.readers.hubspot.findByEmail('contacts', email);
  const linked = await ctx.crosswalk.hubSpotIdsLinked(found.map((r) => r.id));
  return found.map((r) => {
    const link = linked.get(r.id);
    return { object: 'contacts', id: r.id, linkedTo: link && link.id !== selfId ? link.id : undefined };
  });
}

function conflictingLink(selfId: string, storedLink: OtherRef, owner: string): IdentityDecision {
  return {
    kind: 'ambiguous',
    reason: `its link field names ${storedLink.object} ${storedLink.id}, which is already linked to ${owner} (a cloned or merged record?); clear the link field on the copy, then retry`,
    ids: [selfId, storedLink.id],
  };
}

export function asSalesforceObject(object: string): SalesforceObject {
  if (!isSalesforceObject(object)) throw new Error(`unsupported Salesforce object "${object}"`);
  return object;
}
