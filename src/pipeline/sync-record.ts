/**
 * One sync of the person behind a changed record (DESIGN.md §1): read both sides, resolve identity,
 * merge against the base, plan patches, settle what already agrees, and queue the writes.
 */
import { UnrecoverableError } from 'bullmq';
import type { SourceRecord } from '../connector/types.js';
import { conflictKey } from '../state/base-store.js';
import type { LedgerEntry } from '../state/ledger.js';
import { planCreate } from '../sync/create.js';
import { planSync, type SidePatch } from '../sync/plan.js';
import type { HubSpotSide, SalesforceSide } from '../sync/side.js';
import type { SyncContext } from './context.js';
import type { ChangeJob } from './queues.js';
import { asSalesforceObject, resolvePair } from './resolve-pair.js';
import { enqueueWrite } from './write-enqueue.js';

export type SyncOutcome = 'gone' | 'converted-lead' | 'created' | 'in-sync' | 'patched';

/** Another sync holds this person right now; the job is retried shortly. */
export class PersonBusyError extends Error {
  override name = 'PersonBusyError';
}

/**
 * `claimPerson` is asked for the person lock once the pair is known: a record that was not linked yet
 * was locked under its own id, and the other half may be syncing under the HubSpot id.
 */
export async function syncRecord(
  ctx: SyncContext,
  change: ChangeJob,
  claimPerson: (hubspotId: string) => Promise<boolean> = async () => true,
): Promise<SyncOutcome> {
  const startedAt = Date.now();
  const reader = change.system === 'hubspot' ? ctx.readers.hubspot : ctx.readers.salesforce;
  const record = await reader.read(change.object, change.id);
  if (!record) return 'gone';
  if (record.object === 'Lead' && record.fields.IsConverted === true) return 'converted-lead';

  const resolution = await resolvePair(ctx, change, record);
  if (resolution.kind === 'ambiguous') {
    throw new UnrecoverableError(`${describeRecord(record)}: identity: ${resolution.reason}`);
  }
  if (resolution.kind === 'create') {
    await queueCreate(ctx, resolution.source);
    return 'created';
  }

  const hubspot: HubSpotSide = {
    system: 'hubspot',
    object: 'contacts',
    id: resolution.hubspot.id,
    modifiedAt: resolution.hubspot.modifiedAt,
    raw: resolution.hubspot.fields,
  };
  const salesforce: SalesforceSide = {
    system: 'salesforce',
    object: asSalesforceObject(resolution.salesforce.object),
    id: resolution.salesforce.id,
    modifiedAt: resolution.salesforce.modifiedAt,
    raw: resolution.salesforce.fields,
  };
  const person = hubspot.id;
  if (!(await claimPerson(person))) throw new PersonBusyError(`person ${person} is being synced`);
  // The pair was resolved before this person's lock was held: a sync of the other half may have
  // linked it meanwhile (then its base is history to keep, not a stale one to clear), or linked
  // the person to another record (then resolve again from the start).
  const [linkedNow, ownerNow] =
    resolution.via === 'crosswalk'
      ? [undefined, undefined]
      : await Promise.all([
          ctx.crosswalk.bySalesforceOfHubSpot(person),
          ctx.crosswalk.hubSpotOfSalesforce(salesforce.id),
        ]);
  if (linkedNow && linkedNow.id !== salesforce.id)
    throw new PersonBusyError(`person ${person} was linked to ${linkedNow.object} ${linkedNow.id} meanwhile`);
  if (ownerNow && ownerNow !== person)
    throw new PersonBusyError(
      `${salesforce.object} ${salesforce.id} was linked to contact ${ownerNow} meanwhile`,
    );
  if (resolution.via !== 'crosswalk' && !linkedNow) {
    // A new pairing starts from no history: a base left by an earlier partner would make the new
    // partner's blanks look like deliberate clears.
    await ctx.bases.remove(person);
    await ctx.crosswalk.link(person, { object: salesforce.object, id: salesforce.id });
    await ctx.ledger.append([
      {
        kind: 'link',
        person,
        system: 'salesforce',
        object: salesforce.object,
        recordId: salesforce.id,
        origin: resolution.via,
      },
    ]);
    ctx.narrate?.(
      `Linked HubSpot contact ${person} with Salesforce ${salesforce.object} ${salesforce.id} (matched by ${resolution.via}).`,
    );
  }

  const { base, loggedStage, loggedConflicts } = await ctx.bases.read(person);
  const plan = planSync({ mapping: ctx.mapping, hubspot, salesforce, base });
  // A second sync before the write lands plans the same transition (or meets the same conflict)
  // again: log each once.
  const newTransition = plan.transition && plan.transition.to !== loggedStage ? plan.transition : undefined;
  const newConflicts = plan.conflicts
    .map((conflict) => ({ ...conflict, key: conflictKey(conflict.hubspot, conflict.salesforce) }))
    .filter((conflict) => loggedConflicts[conflict.field] !== conflict.key);
  await ctx.bases.merge(
    person,
    plan.settled,
    newTransition?.to,
    Object.fromEntries(newConflicts.map((conflict) => [conflict.field, conflict.key])),
  );

  const entries: LedgerEntry[] = [];
  if (newTransition) {
    entries.push({
      kind: 'stage',
      person,
      field: 'stage',
      from: newTransition.from,
      to: newTransition.to,
      origin: newTransition.origin,
    });
    ctx.narrate?.(
      `${labelOf(hubspot, salesforce)} moved ${newTransition.from ?? '(new)'} → ${newTransition.to} (from ${newTransition.origin}).`,
    );
  }
  for (const conflict of newConflicts) {
    entries.push({
      kind: 'conflict',
      person,
      field: conflict.field,
      from: conflict.hubspot,
      to: conflict.salesforce,
      origin: conflict.winner,
    });
    ctx.narrate?.(
      `${labelOf(hubspot, salesforce)}: both sides changed ${conflict.field} (HubSpot "${String(conflict.hubspot)}", Salesforce "${String(conflict.salesforce)}"); ${conflict.winner} wins by the field's rule.`,
    );
  }
  if (plan.backwardIgnored) {
    entries.push({
      kind: 'backward-ignored',
      person,
      field: 'stage',
      to: plan.merged.stage,
      origin: plan.backwardIgnored,
    });
  }
  await ctx.ledger.append(entries);

  const origin =
    plan.transition?.origin ?? (Object.keys(plan.hubspot.fields).length > 0 ? 'salesforce' : 'hubspot');
  const label = labelOf(hubspot, salesforce);
  const queued = await Promise.all([
    queuePatch(ctx, plan.hubspot, { person, side: hubspot, origin, label, plannedAt: startedAt }),
    queuePatch(ctx, plan.salesforce, { person, side: salesforce, origin, label, plannedAt: startedAt }),
  ]);
  return queued.some(Boolean) ? 'patched' : 'in-sync';
}

interface PatchContext {
  person: string;
  side: HubSpotSide | SalesforceSide;
  origin: string;
  label: string;
  plannedAt: number;
}

async function queuePatch(
  ctx: SyncContext,
  patch: SidePatch,
  { person, side, origin, label, plannedAt }: PatchContext,
): Promise<boolean> {
  const names = Object.keys(patch.fields);
  if (names.length === 0) return false;
  await enqueueWrite(
    ctx.queues,
    {
      op: 'update',
      system: side.system,
      object: side.object,
      id: side.id,
      fields: patch.fields,
      clearFirst: patch.clearFirst,
      canonical: patch.canonical,
      previous: Object.fromEntries(names.map((name) => [name, side.raw[name] ?? null])),
      person,
      plannedAt,
      origin,
      label,
    },
    ctx.deadLetters,
  );
  return true;
}

async function queueCreate(ctx: SyncContext, source: SourceRecord): Promise<void> {
  const side =
    source.object === 'contacts'
      ? ({
          system: 'hubspot',
          object: 'contacts',
          id: source.id,
          modifiedAt: source.modifiedAt,
          raw: source.fields,
        } as const)
      : ({
          system: 'salesforce',
          object: asSalesforceObject(source.object),
          id: source.id,
          modifiedAt: source.modifiedAt,
          raw: source.fields,
        } as const);
  if (side.system === 'salesforce' && !ctx.mapping.identity.createInHubSpot) return;
  const plan = planCreate(ctx.mapping, side);
  await enqueueWrite(
    ctx.queues,
    {
      op: 'create',
      system: plan.system,
      object: plan.object,
      fields: plan.fields,
      canonical: plan.canonical,
      person: side.system === 'hubspot' ? side.id : undefined,
      source: { system: side.system, object: side.object, id: side.id },
      origin: side.system,
      label: describeRecord(source),
    },
    ctx.deadLetters,
  );
}

export function describeRecord(record: SourceRecord): string {
  const email = record.fields.email ?? record.fields.Email;
  const kind = record.object === 'contacts' ? 'HubSpot contact' : `Salesforce ${record.object}`;
  return `${kind} ${record.id}${typeof email === 'string' && email ? ` (${email})` : ''}`;
}

function labelOf(hubspot: HubSpotSide, salesforce: SalesforceSide): string {
  const email = hubspot.raw.email ?? salesforce.raw.Email;
  return typeof email === 'string' && email ? email : `contact ${hubspot.id}`;
}
