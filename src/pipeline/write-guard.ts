/**
 * Checks the writer makes before it sends a write, so a queued write never undoes a newer edit and a
 * retried create never makes a second record:
 * - an update re-reads its target (one coalesced batch read per write batch) and is dropped when a
 *   person changed the field since the plan; the target is synced again from its current values;
 * - a create that already failed once (its response may have been lost after the record was made)
 *   first looks for the record by email;
 * - a create the vendor refuses because the email already exists adopts that record.
 */
import { normalizeEmail } from '../sync/identity.js';
import { checkFreshness, type Freshness } from '../sync/write-freshness.js';
import { enqueueChanges } from './capture.js';
import type { SyncContext } from './context.js';
import type { WriteJob } from './queues.js';

export async function checkTarget(ctx: SyncContext, job: WriteJob): Promise<Freshness> {
  if (!job.previous || !job.id) return { kind: 'current' };
  const current = await ctx.readers[job.system].read(job.object, job.id);
  // A deleted target fails in the write itself, with the vendor's own message.
  if (!current) return { kind: 'current' };
  return checkFreshness(job, current.fields);
}

/** Drops a superseded write: the ledger says so and the target is synced again from its current values. */
export async function supersede(ctx: SyncContext, job: WriteJob, fields: string[]): Promise<void> {
  await ctx.ledger.append(
    fields.map((field) => ({
      kind: 'superseded' as const,
      person: job.person ?? '',
      system: job.system,
      object: job.object,
      recordId: job.id,
      field,
      to: job.fields[field],
      origin: job.origin,
    })),
  );
  await enqueueChanges(ctx.queues, [{ system: job.system, object: job.object, id: job.id! }]);
  ctx.logger.info(
    { system: job.system, object: job.object, id: job.id, fields },
    'queued write superseded by a newer edit; the record is synced again',
  );
  ctx.narrate?.(
    `Skipped writing ${fields.join(', ')} to ${job.system === 'hubspot' ? 'HubSpot' : `Salesforce ${job.object}`} ${job.id}: it changed after the sync was planned, so it is synced again.`,
  );
}

export type ExistingRecord =
  | { kind: 'none' }
  | { kind: 'found'; id: string }
  | { kind: 'ambiguous'; reason: string };

/**
 * Finds the record an earlier attempt of this create may have made. Salesforce queries are
 * consistent at once; HubSpot search lags, but HubSpot itself refuses a second contact with the same
 * email (handled by {@link existingIdFromConflict}).
 */
export async function findCreatedRecord(ctx: SyncContext, job: WriteJob): Promise<ExistingRecord> {
  if (job.system !== 'salesforce') return { kind: 'none' };
  const email = normalizeEmail(job.fields.Email);
  if (!email) return { kind: 'none' };
  const found = await ctx.readers.salesforce.findByEmail(job.object, email);
  if (found.length === 0) return { kind: 'none' };
  const linkField = ctx.mapping.identity.salesforceLinkField;
  const ours = found.filter((record) => record.fields[linkField] === job.source?.id);
  if (ours.length === 1) return { kind: 'found', id: ours[0]!.id };
  if (found.length === 1) return { kind: 'found', id: found[0]!.id };
  return {
    kind: 'ambiguous',
    reason: `several Salesforce ${job.object} records have ${email}: ${found.map((r) => r.id).join(', ')}`,
  };
}

const EXISTING_ID = /Existing ID:\s*(\d+)/i;

/** HubSpot's 409 "Contact already exists. Existing ID: 123" names the contact to adopt. */
export function existingIdFromConflict(job: WriteJob, code: string, message: string): string | undefined {
  if (job.op !== 'create' || job.system !== 'hubspot' || code !== 'CONFLICT') return undefined;
  return EXISTING_ID.exec(message)?.[1];
}

/**
 * Links the source record to an existing record instead of creating one. Returns why it cannot when
 * the existing record already belongs to someone else. No base is stored: the existing record's
 * values are unknown here, so the sync queued for the source merges both sides from scratch.
 */
export async function adoptExisting(
  ctx: SyncContext,
  job: WriteJob,
  existingId: string,
): Promise<string | undefined> {
  const source = job.source!;
  const hubspotId = job.system === 'hubspot' ? existingId : source.id;
  const salesforce =
    job.system === 'salesforce'
      ? { object: job.object, id: existingId }
      : { object: source.object, id: source.id };
  const linkedSalesforce = await ctx.crosswalk.bySalesforceOfHubSpot(hubspotId);
  const linkedHubSpot = await ctx.crosswalk.hubSpotOfSalesforce(salesforce.id);
  if (linkedSalesforce && linkedSalesforce.id !== salesforce.id)
    return `HubSpot contact ${hubspotId} already exists with this email and is linked to Salesforce ${linkedSalesforce.object} ${linkedSalesforce.id}; Salesforce ${salesforce.object} ${salesforce.id} has the same email`;
  if (linkedHubSpot && linkedHubSpot !== hubspotId)
    return `Salesforce ${salesforce.object} ${salesforce.id} already exists with this email and is linked to HubSpot contact ${linkedHubSpot}; HubSpot contact ${hubspotId} has the same email`;

  await ctx.bases.remove(hubspotId);
  await ctx.crosswalk.link(hubspotId, salesforce);
  await ctx.ledger.append([
    {
      kind: 'link',
      person: hubspotId,
      system: 'salesforce',
      object: salesforce.object,
      recordId: salesforce.id,
      origin: 'existing-record',
    },
  ]);
  await enqueueChanges(ctx.queues, [source]);
  ctx.narrate?.(
    `Linked HubSpot contact ${hubspotId} with the existing Salesforce ${salesforce.object} ${salesforce.id} instead of creating a duplicate.`,
  );
  return undefined;
}
