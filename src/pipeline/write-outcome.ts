/**
 * What happens after a write: success updates the base, the crosswalk and the ledger; a permanent
 * per-record error becomes a dead letter whose reason names the record, the field, the vendor message
 * and the fix.
 */
import type { RecordWriteError } from '../connector/types.js';
import { STAGE_KEY } from '../sync/side.js';
import { enqueueChanges } from './capture.js';
import type { SyncContext } from './context.js';
import type { WriteJob } from './queues.js';
import { enqueueWrite } from './write-enqueue.js';

/** Processes on several hosts stamp plans and echo verdicts with their own clocks. */
const CLOCK_SKEW_MS = 1_000;

export async function recordSuccess(ctx: SyncContext, job: WriteJob, recordId: string): Promise<void> {
  if (job.op === 'create') return recordCreated(ctx, job, recordId);
  const person = job.person!;
  // Without a plan time (a job queued by an older version), every echo since the epoch is suspect.
  const since = (job.plannedAt ?? 0) - CLOCK_SKEW_MS;
  const overtaken = await ctx.bases.mergeWritten(person, job.canonical, since);
  if (overtaken.length > 0) {
    await enqueueChanges(
      ctx.queues,
      overtaken.map(({ system, object, id }) => ({ system, object, id })),
    );
    await ctx.bases.clearEchoes(person, overtaken);
    ctx.logger.info(
      { person, records: overtaken },
      'a record judged an echo changed meanwhile; syncing it again',
    );
  }
  await ctx.ledger.append(
    Object.keys(job.fields).map((field) => ({
      kind: 'write' as const,
      person,
      system: job.system,
      object: job.object,
      recordId,
      field,
      from: job.previous?.[field] ?? null,
      to: job.fields[field],
      origin: job.origin,
    })),
  );
  const stage = job.canonical[STAGE_KEY];
  const where = job.system === 'hubspot' ? 'HubSpot' : `Salesforce ${job.object}`;
  // A link-id write-back targets the very record its label names: say what it links to instead.
  const about =
    job.origin === 'lockstep' && job.linkTo
      ? `linking it to ${job.linkTo}`
      : `for ${job.label ?? job.person}`;
  ctx.narrate?.(
    `Wrote ${Object.keys(job.fields).join(', ')} to ${where} ${recordId}${stage ? ` (stage ${String(stage)})` : ''} ${about}.`,
  );
}

async function recordCreated(ctx: SyncContext, job: WriteJob, newId: string): Promise<void> {
  const source = job.source!;
  const hubspotId = job.system === 'hubspot' ? newId : source.id;
  const salesforce =
    job.system === 'salesforce'
      ? { object: job.object, id: newId }
      : { object: source.object, id: source.id };
  await ctx.crosswalk.link(hubspotId, salesforce);
  await ctx.bases.merge(hubspotId, job.canonical);
  await ctx.ledger.append([
    {
      kind: 'create',
      person: hubspotId,
      system: job.system,
      object: job.object,
      recordId: newId,
      origin: job.origin,
    },
  ]);
  ctx.narrate?.(
    `Created ${job.system === 'hubspot' ? 'HubSpot contact' : `Salesforce ${job.object}`} ${newId} for ${job.label ?? source.id}.`,
  );
  // The source record learns the new id, so the link survives a lost crosswalk.
  const { identity } = ctx.mapping;
  const linkField =
    source.system === 'hubspot'
      ? identity.hubspotLinkProperty[salesforce.object as 'Lead' | 'Contact']
      : identity.salesforceLinkField;
  await enqueueWrite(
    ctx.queues,
    {
      op: 'update',
      system: source.system,
      object: source.object,
      id: source.id,
      fields: { [linkField]: newId },
      canonical: {},
      person: hubspotId,
      origin: 'lockstep',
      label: job.label,
      linkTo: `${job.system === 'hubspot' ? 'HubSpot contact' : `Salesforce ${job.object}`} ${newId}`,
    },
    ctx.deadLetters,
  );
}

const fixes: Record<string, string> = {
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:
    'add the value to the Salesforce picklist, or map it with a value_map entry in contact-fields.yaml',
  VALIDATION_ERROR:
    'check the HubSpot property options, or map the value with a value_map entry in contact-fields.yaml',
  INVALID_OPTION:
    'add the option to the HubSpot property, or map the value with a value_map entry in contact-fields.yaml',
  FIELD_CUSTOM_VALIDATION_EXCEPTION:
    'the value breaks a Salesforce validation rule: fix the record, or relax the rule',
  CANNOT_UPDATE_CONVERTED_LEAD:
    'the lead was converted; its Contact is synced instead once the conversion is picked up',
  REQUIRED_FIELD_MISSING: 'add a default for the field under salesforce_defaults in identity.yaml',
  STRING_TOO_LONG: 'add a { truncate: N } transform for the field in contact-fields.yaml',
  INVALID_FIELD_FOR_INSERT_UPDATE:
    'the field is read-only in Salesforce: set sync to hubspot_to_salesforce or none for it',
  CONFLICT:
    'a record with this email already exists in HubSpot: link it by setting its id field, or merge the duplicates',
  DUPLICATE_VALUE: 'another record already holds this unique value: merge the duplicates',
  PROPERTY_DOESNT_EXIST: 'create the HubSpot property (see the README), or fix the name in the mapping',
  INVALID_FIELD: 'create the Salesforce field (see the README), or fix the name in the mapping',
};

/** The record a write is for, as an admin would look it up: `Salesforce Lead 00Q… for ada@example.com`. */
export function describeWrite(job: WriteJob): string {
  const target =
    job.system === 'hubspot'
      ? `HubSpot contact ${job.id ?? '(new)'}`
      : `Salesforce ${job.object} ${job.id ?? '(new)'}`;
  return `${target}${job.label ? ` for ${job.label}` : ''}`;
}

export function deadLetterReason(job: WriteJob, error: RecordWriteError): string {
  const targetAndWho = describeWrite(job);
  const fields = error.fields.length > 0 ? error.fields : Object.keys(job.fields);
  const values = fields
    .filter((f) => f in job.fields)
    .map((f) => `${f}=${JSON.stringify(job.fields[f])}`)
    .join(', ');
  const fix = fixes[error.code] ?? 'fix the value in the source record or the mapping, then retry';
  return `${targetAndWho}: field ${fields.join(', ') || '(record)'}${values ? ` (${values})` : ''}: ${error.code}: ${error.message}. Fix: ${fix}; then run \`lockstep dead-letters retry <id>\`.`;
}
