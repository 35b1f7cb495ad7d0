/**
 * Lifecycle rules: which stage a record is in, how two sides' stages merge, and which vendor values a
 * stage is written as. Pure functions over the compiled lifecycle.
 */
import type { RawFields } from '../connector/types.js';
import type {
  CompiledLifecycle,
  CompiledStage,
  QualificationRule,
  SalesforceObject,
  StageMarker,
} from '../mapping/compile.js';
import type { CanonicalFields } from '../mapping/values.js';

export type StageOrigin = 'hubspot' | 'salesforce' | 'qualification' | 'unchanged';

function markerApplies(marker: StageMarker, object: SalesforceObject | undefined): boolean {
  return marker.object === undefined || marker.object === object;
}

function markerMatches(marker: StageMarker, raw: RawFields): boolean {
  const value = raw[marker.field];
  return value !== null && value !== undefined && String(value) === marker.value;
}

export function stageMarkers(
  stage: CompiledStage,
  system: 'hubspot' | 'salesforce',
  object?: SalesforceObject,
): StageMarker[] {
  const markers = system === 'hubspot' ? stage.hubspot : stage.salesforce;
  return markers.filter((marker) => markerApplies(marker, object));
}

/**
 * The stage a record's values say it is in. Several fields may mark stages (Salesforce `Status` and
 * `Lifecycle_Stage__c`): the furthest ordered stage wins and an exit wins over ordered stages. A person
 * whose base stage is an exit stays in it while all its markers hold; once someone changes one of them
 * (a rep reopens the lead) the person is recycled into the furthest ordered stage the record shows.
 */
export function deriveStage(
  lifecycle: CompiledLifecycle,
  system: 'hubspot' | 'salesforce',
  raw: RawFields,
  baseStage: string | undefined,
  object?: SalesforceObject,
): string | null {
  const markersOf = (stage: CompiledStage) => stageMarkers(stage, system, object);
  const furthest = lifecycle.ordered
    .filter((stage) => markersOf(stage).some((m) => markerMatches(m, raw)))
    .at(-1);
  const baseExit = lifecycle.exits.find((exit) => exit.name === baseStage);
  if (baseExit) {
    const markers = markersOf(baseExit);
    const held = markers.filter((m) => markerMatches(m, raw)).length;
    if (held === markers.length && held > 0) return baseExit.name;
    if (held > 0 && !furthest) return baseExit.name;
  }
  const exit = lifecycle.exits.find((e) => e !== baseExit && markersOf(e).some((m) => markerMatches(m, raw)));
  if (exit) return exit.name;
  return furthest?.name ?? null;
}

export function rankOf(lifecycle: CompiledLifecycle, stage: string | null | undefined): number | undefined {
  return stage ? lifecycle.byName.get(stage)?.rank : undefined;
}

export interface StageInputs {
  hubspotStage: string | null;
  salesforceStage: string | null;
  baseStage: string | undefined;
  hubspotModifiedAt: string;
  salesforceModifiedAt: string;
}

export interface StageDecision {
  stage: string | null;
  origin: StageOrigin;
  conflict: boolean;
  /** A side moved backwards and the move was not applied (forward-only). */
  backwardIgnored: 'hubspot' | 'salesforce' | undefined;
}

export function mergeStage(lifecycle: CompiledLifecycle, input: StageInputs): StageDecision {
  const { hubspotStage: hs, salesforceStage: sf, baseStage: base } = input;
  const hsChanged = hs !== null && hs !== base;
  const sfChanged = sf !== null && sf !== base;
  let stage: string | null = base ?? null;
  let origin: StageOrigin = 'unchanged';
  let conflict = false;
  if (hsChanged && !sfChanged) [stage, origin] = [hs, 'hubspot'];
  else if (sfChanged && !hsChanged) [stage, origin] = [sf, 'salesforce'];
  else if (hsChanged && sfChanged) {
    if (hs === sf) [stage, origin] = [hs, 'hubspot'];
    else if (
      base === undefined &&
      rankOf(lifecycle, hs) !== undefined &&
      rankOf(lifecycle, sf) !== undefined
    ) {
      // First link: both stages are ordered, so the further one is the truth (nothing moves backwards).
      const hsFurther = rankOf(lifecycle, hs)! >= rankOf(lifecycle, sf)!;
      [stage, origin] = hsFurther ? [hs, 'hubspot'] : [sf, 'salesforce'];
    } else {
      conflict = base !== undefined;
      const hubspotWins =
        lifecycle.conflict === 'prefer_hubspot' ||
        (lifecycle.conflict === 'newest' &&
          Date.parse(input.hubspotModifiedAt) >= Date.parse(input.salesforceModifiedAt));
      [stage, origin] = hubspotWins ? [hs, 'hubspot'] : [sf, 'salesforce'];
    }
  }
  const from = rankOf(lifecycle, base);
  const to = rankOf(lifecycle, stage);
  if (!lifecycle.allowBackward && from !== undefined && to !== undefined && to < from) {
    return {
      stage: base ?? null,
      origin: 'unchanged',
      conflict,
      backwardIgnored: origin === 'hubspot' ? 'hubspot' : 'salesforce',
    };
  }
  return { stage, origin, conflict, backwardIgnored: undefined };
}

/** Promotes an ordered stage below the rule's stage when every condition holds on the canonical fields. */
export function applyQualification(
  lifecycle: CompiledLifecycle,
  rule: QualificationRule | undefined,
  stage: string | null,
  fields: CanonicalFields,
): string | null {
  if (!rule) return stage;
  const target = rankOf(lifecycle, rule.stage);
  const current = rankOf(lifecycle, stage);
  if (target === undefined) return stage;
  const isExit = stage !== null && current === undefined;
  if (isExit || (current !== undefined && current >= target)) return stage;
  return rule.all.every((condition) => holds(fields[condition.field], condition.op, condition.value))
    ? rule.stage
    : stage;
}

function holds(
  actual: unknown,
  op: QualificationRule['all'][number]['op'],
  expected: number | string | boolean,
): boolean {
  if (actual === null || actual === undefined) return false;
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'neq':
      return actual !== expected;
    default: {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      if (op === 'gte') return actual >= expected;
      if (op === 'gt') return actual > expected;
      if (op === 'lte') return actual <= expected;
      return actual < expected;
    }
  }
}

/** HubSpot ignores a backwards `lifecyclestage` write unless the property was cleared first (API-NOTES §2.8). */
export const HUBSPOT_FORWARD_ONLY_PROPERTY = 'lifecyclestage';

export interface StageWrite {
  fields: Record<string, string>;
  clearFirst: string[];
}

/**
 * The vendor values that put one side into `stage`: the stage's markers that differ from the record,
 * plus the `on_leave` values of the exit the person is leaving.
 */
export function planStageWrite(
  lifecycle: CompiledLifecycle,
  system: 'hubspot' | 'salesforce',
  raw: RawFields,
  stage: string,
  leavingExit: string | undefined,
  object?: SalesforceObject,
): StageWrite {
  const target = lifecycle.byName.get(stage);
  const out: StageWrite = { fields: {}, clearFirst: [] };
  if (!target) return out;
  const leaving = leavingExit && leavingExit !== stage ? lifecycle.byName.get(leavingExit) : undefined;
  const onLeave = leaving
    ? system === 'hubspot'
      ? leaving.onLeave.hubspot
      : leaving.onLeave.salesforce
    : [];
  for (const marker of [
    ...onLeave.filter((m) => markerApplies(m, object)),
    ...stageMarkers(target, system, object),
  ]) {
    if (markerMatches(marker, raw)) {
      delete out.fields[marker.field];
      continue;
    }
    if (system === 'hubspot' && marker.field === HUBSPOT_FORWARD_ONLY_PROPERTY && target.rank !== undefined) {
      const current = lifecycle.ordered.find((s) =>
        s.hubspot.some((m) => m.field === marker.field && markerMatches(m, raw)),
      );
      if (current?.rank !== undefined && current.rank > target.rank) {
        if (!lifecycle.allowBackward) continue;
        out.clearFirst.push(marker.field);
      }
    }
    out.fields[marker.field] = marker.value;
  }
  return out;
}
