/**
 * Turns validated mapping files into the structures the sync engine runs on, after checking the
 * references between them. Pure: no I/O.
 */
import { type FieldCodec, hubspotCodec, salesforceCodec } from './codecs.js';
import type { LocatedFile } from './load.js';
import { formatPath, MappingError, type MappingProblem } from './mapping-error.js';
import type {
  ConflictRule,
  FieldsFile,
  FieldType,
  IdentityFile,
  LifecycleFile,
  SyncDirection,
} from './schema.js';

export const salesforceObjects = ['Lead', 'Contact'] as const;
export type SalesforceObject = (typeof salesforceObjects)[number];

export interface CompiledField {
  canonical: string;
  hubspot: string;
  /** Salesforce field per object; an object without an entry does not carry this field. */
  salesforce: Partial<Record<SalesforceObject, string>>;
  sync: SyncDirection;
  conflict: ConflictRule;
  type: FieldType;
  hubspotCodec: FieldCodec;
  salesforceCodec: FieldCodec;
}

/** A vendor field value that marks a stage, e.g. Lead.Status = "Working - Contacted". */
export interface StageMarker {
  field: string;
  value: string;
  /** Only on this Salesforce object; undefined = every object. */
  object?: SalesforceObject;
}

export interface CompiledStage {
  name: string;
  label: string;
  /** Position in the ordered funnel; exits have none. */
  rank: number | undefined;
  hubspot: StageMarker[];
  salesforce: StageMarker[];
  onLeave: { hubspot: StageMarker[]; salesforce: StageMarker[] };
}

export interface QualificationRule {
  stage: string;
  all: Array<{
    field: string;
    op: 'gte' | 'gt' | 'lte' | 'lt' | 'eq' | 'neq';
    value: number | string | boolean;
  }>;
}

export interface CompiledLifecycle {
  ordered: CompiledStage[];
  exits: CompiledStage[];
  byName: Map<string, CompiledStage>;
  allowBackward: boolean;
  conflict: 'newest' | 'prefer_hubspot' | 'prefer_salesforce';
  qualification: QualificationRule | undefined;
  sla: Array<{ from: string; to: string; withinHours: number }>;
}

export interface CompiledIdentity {
  salesforceLinkField: string;
  hubspotLinkProperty: Record<SalesforceObject, string>;
  createInSalesforceAs: SalesforceObject;
  salesforceDefaults: Partial<Record<SalesforceObject, Record<string, string>>>;
  createInHubSpot: boolean;
}

export interface MappingConfig {
  fields: CompiledField[];
  lifecycle: CompiledLifecycle;
  identity: CompiledIdentity;
  hubspotObject: 'contacts';
  salesforceObjects: SalesforceObject[];
}

export interface MappingSources {
  lifecycle: LocatedFile<LifecycleFile>;
  fields: LocatedFile<FieldsFile>;
  identity: LocatedFile<IdentityFile>;
}

export function compileMappings(sources: MappingSources): MappingConfig {
  const problems: MappingProblem[] = [];
  const report = (source: LocatedFile<unknown>, path: Array<string | number>, message: string) =>
    problems.push({ file: source.file, line: source.lineOf(path), path: formatPath(path), message });

  const fields = compileFields(sources.fields, report);
  const lifecycle = compileLifecycle(sources.lifecycle, new Set(fields.map((f) => f.canonical)), report);
  const identity = compileIdentity(sources.identity, sources.fields.data.salesforce_objects, report);
  if (problems.length > 0) throw new MappingError(problems);
  return {
    fields,
    lifecycle,
    identity,
    hubspotObject: sources.fields.data.hubspot_object,
    salesforceObjects: sources.fields.data.salesforce_objects,
  };
}

type Report = (source: LocatedFile<unknown>, path: Array<string | number>, message: string) => void;

function compileFields(source: LocatedFile<FieldsFile>, report: Report): CompiledField[] {
  const seen = new Map<string, number>();
  const seenHubSpot = new Map<string, number>();
  return source.data.fields.map((spec, index) => {
    const earlier = seen.get(spec.canonical);
    if (earlier !== undefined) {
      report(
        source,
        ['fields', index, 'canonical'],
        `"${spec.canonical}" is already mapped by fields[${earlier}]; give each canonical field one entry`,
      );
    }
    seen.set(spec.canonical, index);
    if (spec.canonical === 'stage') {
      report(
        source,
        ['fields', index, 'canonical'],
        `"stage" is reserved for the lifecycle stage (lifecycle.yaml); pick another name`,
      );
    }
    const hubspotEarlier = seenHubSpot.get(spec.hubspot);
    if (hubspotEarlier !== undefined && spec.sync !== 'none') {
      report(
        source,
        ['fields', index, 'hubspot'],
        `HubSpot property "${spec.hubspot}" is already mapped by fields[${hubspotEarlier}]; map each property once`,
      );
    }
    seenHubSpot.set(spec.hubspot, index);
    if (spec.conflict && spec.sync !== 'both') {
      report(
        source,
        ['fields', index, 'conflict'],
        `conflict applies only to sync: both; remove it or set sync: both`,
      );
    }
    if (spec.hubspot_ranges && spec.type !== 'number') {
      report(source, ['fields', index, 'hubspot_ranges'], `hubspot_ranges needs type: number`);
    }
    if (spec.value_map && spec.type !== 'string') {
      report(
        source,
        ['fields', index, 'value_map'],
        `value_map needs type: string (picklist values are text)`,
      );
    }
    const salesforce: Partial<Record<SalesforceObject, string>> =
      typeof spec.salesforce === 'string'
        ? Object.fromEntries(
            source.data.salesforce_objects.map((object) => [object, spec.salesforce as string]),
          )
        : {};
    if (typeof spec.salesforce !== 'string') {
      for (const [object, field] of Object.entries(spec.salesforce)) {
        if (!isSalesforceObject(object)) {
          report(
            source,
            ['fields', index, 'salesforce', object],
            `unknown Salesforce object "${object}"; use Lead or Contact`,
          );
          continue;
        }
        salesforce[object] = field;
      }
    }
    return {
      canonical: spec.canonical,
      hubspot: spec.hubspot,
      salesforce,
      sync: spec.sync,
      conflict: spec.conflict ?? 'newest',
      type: spec.type,
      hubspotCodec: hubspotCodec(spec),
      salesforceCodec: salesforceCodec(spec),
    };
  });
}

function compileLifecycle(
  source: LocatedFile<LifecycleFile>,
  canonicalFields: Set<string>,
  report: Report,
): CompiledLifecycle {
  const data = source.data;
  const byName = new Map<string, CompiledStage>();
  const build = (
    stage: LifecycleFile['stages'][number],
    rank: number | undefined,
    path: Array<string | number>,
  ) => {
    if (byName.has(stage.name))
      report(
        source,
        [...path, 'name'],
        `stage "${stage.name}" is declared twice; stage names must be unique`,
      );
    const compiled: CompiledStage = {
      name: stage.name,
      label: stage.label ?? stage.name,
      rank,
      hubspot: markers(stage.hubspot, undefined),
      salesforce: markers(stage.salesforce, (object, key) =>
        report(
          source,
          [...path, 'salesforce', key],
          `unknown Salesforce object "${object}" in "${key}"; use Lead.<Field> or Contact.<Field>`,
        ),
      ),
      onLeave: { hubspot: [], salesforce: [] },
    };
    if (compiled.hubspot.length === 0 && compiled.salesforce.length === 0) {
      report(
        source,
        path,
        `stage "${stage.name}" has no hubspot or salesforce values; add at least one so it can be recognised`,
      );
    }
    byName.set(stage.name, compiled);
    return compiled;
  };
  const ordered = data.stages.map((stage, index) => build(stage, index, ['stages', index]));
  const exits = data.exits.map((exit, index) => {
    const compiled = build(exit, undefined, ['exits', index]);
    compiled.onLeave = {
      hubspot: markers(exit.on_leave.hubspot, undefined),
      salesforce: markers(exit.on_leave.salesforce, (object, key) =>
        report(
          source,
          ['exits', index, 'on_leave', 'salesforce', key],
          `unknown Salesforce object "${object}" in "${key}"; use Lead.<Field> or Contact.<Field>`,
        ),
      ),
    };
    return compiled;
  });
  checkDistinctMarkers(source, data, report);

  if (data.qualification) {
    if (!byName.has(data.qualification.stage)) {
      report(
        source,
        ['qualification', 'stage'],
        `unknown stage "${data.qualification.stage}"; use one of ${[...byName.keys()].join(', ')}`,
      );
    }
    data.qualification.all.forEach((condition, index) => {
      if (!canonicalFields.has(condition.field)) {
        report(
          source,
          ['qualification', 'all', index, 'field'],
          `unknown canonical field "${condition.field}"; add it to contact-fields.yaml or use one of ${[...canonicalFields].join(', ')}`,
        );
      }
    });
  }
  data.sla.forEach((rule, index) => {
    for (const key of ['from', 'to'] as const) {
      if (!byName.has(rule[key]))
        report(
          source,
          ['sla', index, key],
          `unknown stage "${rule[key]}"; use one of ${[...byName.keys()].join(', ')}`,
        );
    }
  });
  return {
    ordered,
    exits,
    byName,
    allowBackward: data.allow_backward,
    conflict: data.conflict,
    qualification: data.qualification,
    sla: data.sla.map((rule) => ({ from: rule.from, to: rule.to, withinHours: rule.within_hours })),
  };
}

/** Two stages marked by the same field and value could never be told apart. */
function checkDistinctMarkers(source: LocatedFile<LifecycleFile>, data: LifecycleFile, report: Report): void {
  const owners = new Map<string, string>();
  const all = [
    ...data.stages.map((s, i) => ({ s, path: ['stages', i] as Array<string | number> })),
    ...data.exits.map((s, i) => ({ s, path: ['exits', i] as Array<string | number> })),
  ];
  for (const { s, path } of all) {
    for (const system of ['hubspot', 'salesforce'] as const) {
      for (const [key, value] of Object.entries(s[system])) {
        const id = `${system}:${key}=${String(value)}`;
        const owner = owners.get(id);
        if (owner)
          report(
            source,
            [...path, system, key],
            `${key} = "${String(value)}" already marks stage "${owner}"; each value may mark one stage`,
          );
        else owners.set(id, s.name);
      }
    }
  }
}

function compileIdentity(
  source: LocatedFile<IdentityFile>,
  synced: readonly string[],
  report: Report,
): CompiledIdentity {
  const data = source.data;
  const defaults: Partial<Record<SalesforceObject, Record<string, string>>> = {};
  for (const [object, values] of Object.entries(data.salesforce_defaults)) {
    if (isSalesforceObject(object)) defaults[object] = values;
    else
      report(
        source,
        ['salesforce_defaults', object],
        `unknown Salesforce object "${object}"; use Lead or Contact`,
      );
  }
  if (!synced.includes(data.create_in_salesforce_as))
    report(
      source,
      ['create_in_salesforce_as'],
      `new people would be created as ${data.create_in_salesforce_as}s, which are not synced; add ${data.create_in_salesforce_as} to salesforce_objects in contact-fields.yaml, or create ${synced.join(' or ')} records`,
    );
  return {
    salesforceLinkField: data.links.salesforce_field,
    hubspotLinkProperty: data.links.hubspot_properties,
    createInSalesforceAs: data.create_in_salesforce_as,
    salesforceDefaults: defaults,
    createInHubSpot: data.create_in_hubspot,
  };
}

function markers(
  values: Record<string, string | number | boolean>,
  onUnknownObject: ((object: string, key: string) => void) | undefined,
): StageMarker[] {
  return Object.entries(values).map(([key, value]) => {
    const dot = key.indexOf('.');
    if (dot === -1 || !onUnknownObject) return { field: key, value: String(value) };
    const object = key.slice(0, dot);
    if (!isSalesforceObject(object)) onUnknownObject(object, key);
    return {
      field: key.slice(dot + 1),
      value: String(value),
      object: isSalesforceObject(object) ? object : undefined,
    };
  });
}

export function isSalesforceObject(name: string): name is SalesforceObject {
  return (salesforceObjects as readonly string[]).includes(name);
}
