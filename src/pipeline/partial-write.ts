/**
 * A write that the target refused for some of its fields only (a restricted picklist, a validation
 * rule on one field): the other fields must still land, or one bad value would hold back every later
 * change of the person on that side, the stage included. This splits such a write.
 */
import type { MappingConfig, SalesforceObject } from '../mapping/compile.js';
import { STAGE_KEY } from '../sync/side.js';
import type { WriteJob } from './queues.js';

/** The target fields that carry `canonical` on this job's side (several for the stage). */
function targetFieldsOf(mapping: MappingConfig, job: WriteJob, canonical: string): string[] {
  if (canonical === STAGE_KEY) {
    const stages = [...mapping.lifecycle.ordered, ...mapping.lifecycle.exits];
    const markers = stages.flatMap((stage) =>
      job.system === 'hubspot'
        ? [...stage.hubspot, ...stage.onLeave.hubspot]
        : [...stage.salesforce, ...stage.onLeave.salesforce].filter(
            (m) => m.object === undefined || m.object === job.object,
          ),
    );
    return [...new Set(markers.map((m) => m.field))];
  }
  const field = mapping.fields.find((f) => f.canonical === canonical);
  if (!field) return [];
  const name = job.system === 'hubspot' ? field.hubspot : field.salesforce[job.object as SalesforceObject];
  return name ? [name] : [];
}

/**
 * The same write without the refused fields, or undefined when nothing else is left. A canonical
 * value leaves the write's `canonical` (what the base records once it lands) as soon as one of its
 * target fields was refused, so the base never claims a value the target does not hold.
 */
export function withoutRefusedFields(
  mapping: MappingConfig,
  job: WriteJob,
  refused: readonly string[],
): WriteJob | undefined {
  if (job.op !== 'update') return undefined;
  const bad = new Set(refused);
  const fields = Object.fromEntries(Object.entries(job.fields).filter(([name]) => !bad.has(name)));
  if (Object.keys(fields).length === 0 || Object.keys(fields).length === Object.keys(job.fields).length)
    return undefined;
  const canonical = Object.fromEntries(
    Object.entries(job.canonical).filter(
      ([name]) => !targetFieldsOf(mapping, job, name).some((target) => bad.has(target)),
    ),
  );
  const keep = <T>(values: Record<string, T> | undefined) =>
    values && Object.fromEntries(Object.entries(values).filter(([name]) => !bad.has(name)));
  return {
    ...job,
    fields,
    canonical,
    ...(job.clearFirst ? { clearFirst: job.clearFirst.filter((name) => !bad.has(name)) } : {}),
    ...(job.previous ? { previous: keep(job.previous) } : {}),
  };
}
