/**
 * Plans the record to create on the other side for a person who exists on one side only. Pure.
 */
import type { RawFields } from '../connector/types.js';
import { DO_NOT_WRITE } from '../mapping/codecs.js';
import type { MappingConfig, SalesforceObject } from '../mapping/compile.js';
import { type CanonicalFields, isBlank } from '../mapping/values.js';
import { applyQualification, deriveStage, planStageWrite } from './lifecycle.js';
import { type Side, STAGE_KEY } from './side.js';

export interface CreatePlan {
  system: 'hubspot' | 'salesforce';
  object: 'contacts' | SalesforceObject;
  fields: RawFields;
  /** Canonical values the new record starts with: the first base of the linked pair. */
  canonical: CanonicalFields;
}

export function planCreate(mapping: MappingConfig, source: Side): CreatePlan {
  const toSalesforce = source.system === 'hubspot';
  const object = toSalesforce ? mapping.identity.createInSalesforceAs : 'contacts';
  const fields: RawFields = {};
  const canonical: CanonicalFields = {};
  for (const field of mapping.fields) {
    const allowed =
      field.sync === 'both' ||
      field.sync === (toSalesforce ? 'hubspot_to_salesforce' : 'salesforce_to_hubspot');
    const sourceName = source.system === 'hubspot' ? field.hubspot : field.salesforce[source.object];
    const targetName = toSalesforce ? field.salesforce[object as SalesforceObject] : field.hubspot;
    if (!allowed || !sourceName || !targetName) continue;
    const sourceCodec = source.system === 'hubspot' ? field.hubspotCodec : field.salesforceCodec;
    const targetCodec = toSalesforce ? field.salesforceCodec : field.hubspotCodec;
    const value = sourceCodec.decode(source.raw[sourceName]);
    canonical[field.canonical] = value;
    if (isBlank(value)) continue;
    const encoded = targetCodec.encode(value);
    if (encoded !== DO_NOT_WRITE) fields[targetName] = encoded;
  }

  const lifecycle = mapping.lifecycle;
  const sourceObject = source.system === 'salesforce' ? source.object : undefined;
  const derived = deriveStage(lifecycle, source.system, source.raw, undefined, sourceObject);
  const stage = applyQualification(lifecycle, lifecycle.qualification, derived, canonical);
  if (stage) {
    const targetSystem = toSalesforce ? 'salesforce' : 'hubspot';
    const targetObject = toSalesforce ? (object as SalesforceObject) : undefined;
    Object.assign(fields, planStageWrite(lifecycle, targetSystem, {}, stage, undefined, targetObject).fields);
    canonical[STAGE_KEY] = stage;
  }

  if (toSalesforce) {
    fields[mapping.identity.salesforceLinkField] = source.id;
    for (const [name, value] of Object.entries(
      mapping.identity.salesforceDefaults[object as SalesforceObject] ?? {},
    )) {
      if (isBlank((fields[name] as string | null | undefined) ?? null)) fields[name] = value;
    }
  } else if (source.system === 'salesforce') {
    fields[mapping.identity.hubspotLinkProperty[source.object]] = source.id;
  }
  return { system: toSalesforce ? 'salesforce' : 'hubspot', object, fields, canonical };
}
