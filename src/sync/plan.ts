/**
 * Plans one sync of a linked person: merge every mapped field and the stage against the base, then
 * the patches for each side holding only values that really change. Pure.
 */
import type { RawFields } from '../connector/types.js';
import { withPlaceholder } from '../mapping/codecs.js';
import type { MappingConfig } from '../mapping/compile.js';
import type { CanonicalFields, CanonicalValue } from '../mapping/values.js';
import {
  applyQualification,
  deriveStage,
  mergeStage,
  planStageWrite,
  type StageOrigin,
} from './lifecycle.js';
import { mergeField } from './merge.js';
import { type HubSpotSide, type SalesforceSide, STAGE_KEY } from './side.js';

export interface SidePatch {
  fields: RawFields;
  clearFirst: string[];
  /** Canonical values this patch establishes: stored as the new base once the write succeeds. */
  canonical: CanonicalFields;
}

export interface FieldConflict {
  field: string;
  hubspot: CanonicalValue;
  salesforce: CanonicalValue;
  winner: 'hubspot' | 'salesforce';
}

export interface StageTransition {
  from: string | null;
  to: string;
  origin: StageOrigin;
}

export interface SyncPlan {
  merged: CanonicalFields;
  hubspot: SidePatch;
  salesforce: SidePatch;
  /** Canonical values both sides already hold: the base can take them now. */
  settled: CanonicalFields;
  conflicts: FieldConflict[];
  transition: StageTransition | undefined;
  backwardIgnored: 'hubspot' | 'salesforce' | undefined;
}

export interface SyncInput {
  mapping: MappingConfig;
  hubspot: HubSpotSide;
  salesforce: SalesforceSide;
  base: CanonicalFields | null;
}

const emptyPatch = (): SidePatch => ({ fields: {}, clearFirst: [], canonical: {} });

export function planSync({ mapping, hubspot, salesforce, base }: SyncInput): SyncPlan {
  const plan: SyncPlan = {
    merged: {},
    hubspot: emptyPatch(),
    salesforce: emptyPatch(),
    settled: {},
    conflicts: [],
    transition: undefined,
    backwardIgnored: undefined,
  };

  const defaults = mapping.identity.salesforceDefaults[salesforce.object] ?? {};
  for (const field of mapping.fields) {
    const salesforceField = field.salesforce[salesforce.object];
    if (field.sync === 'none') continue;
    if (!salesforceField) {
      // Not on this Salesforce object (a Contact has no NumberOfEmployees): HubSpot's value still
      // counts for rules such as qualification. The base keeps it too, so a HubSpot edit of it reads
      // as a change (see holdsBase).
      const value = field.hubspotCodec.decode(hubspot.raw[field.hubspot]);
      plan.merged[field.canonical] = value;
      plan.settled[field.canonical] = value;
      continue;
    }
    const salesforceCodec = withPlaceholder(field.salesforceCodec, defaults[salesforceField]);
    const decision = mergeField(
      field,
      {
        hubspotRaw: hubspot.raw[field.hubspot],
        salesforceRaw: salesforce.raw[salesforceField],
        base: base ? base[field.canonical] : undefined,
        hubspotModifiedAt: hubspot.modifiedAt,
        salesforceModifiedAt: salesforce.modifiedAt,
      },
      salesforceCodec,
    );
    plan.merged[field.canonical] = decision.value;
    if (decision.conflict) plan.conflicts.push({ field: field.canonical, ...decision.conflict });
    const writesHubSpot = decision.writeHubSpot !== undefined;
    const writesSalesforce = decision.writeSalesforce !== undefined;
    if (writesHubSpot) {
      plan.hubspot.fields[field.hubspot] = decision.writeHubSpot;
      plan.hubspot.canonical[field.canonical] = decision.value;
    }
    if (writesSalesforce) {
      plan.salesforce.fields[salesforceField] = decision.writeSalesforce;
      plan.salesforce.canonical[field.canonical] = decision.value;
    }
    if (!writesHubSpot && !writesSalesforce) plan.settled[field.canonical] = decision.value;
  }

  planStage(plan, mapping, hubspot, salesforce, base);
  planLinks(plan, mapping, hubspot, salesforce);
  return plan;
}

function planStage(
  plan: SyncPlan,
  mapping: MappingConfig,
  hubspot: HubSpotSide,
  salesforce: SalesforceSide,
  base: CanonicalFields | null,
): void {
  const lifecycle = mapping.lifecycle;
  const baseValue = base?.[STAGE_KEY];
  const baseStage = typeof baseValue === 'string' ? baseValue : undefined;
  const hubspotStage = deriveStage(lifecycle, 'hubspot', hubspot.raw, baseStage);
  const salesforceStage = deriveStage(lifecycle, 'salesforce', salesforce.raw, baseStage, salesforce.object);
  const decision = mergeStage(lifecycle, {
    hubspotStage,
    salesforceStage,
    baseStage,
    hubspotModifiedAt: hubspot.modifiedAt,
    salesforceModifiedAt: salesforce.modifiedAt,
  });
  plan.backwardIgnored = decision.backwardIgnored;
  let stage = decision.stage;
  let origin = decision.origin;
  const qualified = applyQualification(lifecycle, lifecycle.qualification, stage, plan.merged);
  if (qualified !== stage) [stage, origin] = [qualified, 'qualification'];
  if (decision.conflict && stage) {
    plan.conflicts.push({
      field: STAGE_KEY,
      hubspot: hubspotStage,
      salesforce: salesforceStage,
      winner: origin === 'salesforce' ? 'salesforce' : 'hubspot',
    });
  }
  if (!stage) return;
  plan.merged[STAGE_KEY] = stage;
  if (stage !== (baseStage ?? null)) plan.transition = { from: baseStage ?? null, to: stage, origin };

  const leavingExit = lifecycle.exits.some((e) => e.name === baseStage) ? baseStage : undefined;
  const hubspotWrite = planStageWrite(
    lifecycle,
    'hubspot',
    hubspot.raw,
    stage,
    leavingExit ?? exitName(lifecycle, hubspotStage),
  );
  const salesforceWrite = planStageWrite(
    lifecycle,
    'salesforce',
    salesforce.raw,
    stage,
    leavingExit ?? exitName(lifecycle, salesforceStage),
    salesforce.object,
  );
  // Forward-only means a backwards edit is not propagated, not that the person's edit is overwritten
  // on the side where they made it.
  const hubspotChanges =
    decision.backwardIgnored !== 'hubspot' && Object.keys(hubspotWrite.fields).length > 0;
  const salesforceChanges =
    decision.backwardIgnored !== 'salesforce' && Object.keys(salesforceWrite.fields).length > 0;
  if (hubspotChanges) {
    Object.assign(plan.hubspot.fields, hubspotWrite.fields);
    plan.hubspot.clearFirst.push(...hubspotWrite.clearFirst);
    plan.hubspot.canonical[STAGE_KEY] = stage;
  }
  if (salesforceChanges) {
    Object.assign(plan.salesforce.fields, salesforceWrite.fields);
    plan.salesforce.canonical[STAGE_KEY] = stage;
  }
  if (!hubspotChanges && !salesforceChanges) plan.settled[STAGE_KEY] = stage;
}

function exitName(lifecycle: MappingConfig['lifecycle'], stage: string | null): string | undefined {
  return lifecycle.exits.find((e) => e.name === stage)?.name;
}

/** Each side stores the other's id, so the crosswalk can be rebuilt from the CRMs alone. */
function planLinks(
  plan: SyncPlan,
  mapping: MappingConfig,
  hubspot: HubSpotSide,
  salesforce: SalesforceSide,
): void {
  const hubspotProperty = mapping.identity.hubspotLinkProperty[salesforce.object];
  if (hubspot.raw[hubspotProperty] !== salesforce.id) plan.hubspot.fields[hubspotProperty] = salesforce.id;
  const salesforceField = mapping.identity.salesforceLinkField;
  if (salesforce.raw[salesforceField] !== hubspot.id) plan.salesforce.fields[salesforceField] = hubspot.id;
}
