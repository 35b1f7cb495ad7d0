/**
 * The simulated portal's data: contacts and deals with per-property history, the email index, the
 * contact↔deal associations, and the change feed the webhook sender listens to. Values arrive here
 * already validated and normalised (properties.ts); the store only applies HubSpot's write semantics
 * (clear with "", forward-only lifecycle stage, system timestamps).
 */
import { LIFECYCLE_ORDER, MODIFIED_PROPERTY, type ObjectType } from './properties-data.js';

export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
}

export interface ChangeSource {
  sourceType: string;
  sourceId?: string;
}

export interface StoredRecord {
  id: string;
  objectType: ObjectType;
  /** Set values only: a cleared property is absent (the API answers null for it). */
  properties: Record<string, string>;
  /** Newest first, per property (the `propertiesWithHistory` order). */
  history: Record<string, HistoryEntry[]>;
  createdAt: number;
  updatedAt: number;
  /** Past states still inside the search-index lag window, oldest first. */
  versions: Array<{ at: number; properties: Record<string, string> }>;
}

export type StoreEvent =
  | { kind: 'creation'; objectType: ObjectType; id: string; at: number; source: ChangeSource }
  | {
      kind: 'propertyChange';
      objectType: ObjectType;
      id: string;
      at: number;
      source: ChangeSource;
      propertyName: string;
      value: string;
    };

export interface StoreOptions {
  now: () => number;
  lifecycleBackwardWrites: 'ignore' | 'apply';
  /** Search sees each record as it was this many ms ago (HubSpot's index lag); 0 = immediately. */
  searchIndexLagMs: number;
}

export interface WriteOutcome {
  record: StoredRecord;
  /** Property names whose stored value really changed (system timestamps excluded). */
  changed: string[];
}

/** Properties the store maintains itself: they never count as a change nor raise webhook events. */
const SYSTEM = new Set(['createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_object_id']);
const STAGE_RANK = new Map<string, number>(LIFECYCLE_ORDER.map((s, i) => [s, i]));

export class HubSpotStore {
  private readonly records: Record<ObjectType, Map<string, StoredRecord>> = {
    contacts: new Map(),
    deals: new Map(),
  };
  private readonly emails = new Map<string, string>();
  /** `contactId|dealId` pairs. */
  private readonly links = new Set<string>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];
  /** One id sequence for every object type, so a contact id can never be mistaken for a deal id. */
  private nextId = 1;

  constructor(private readonly options: StoreOptions) {}

  onChange(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  get(objectType: ObjectType, id: string): StoredRecord | undefined {
    return this.records[objectType].get(id);
  }

  all(objectType: ObjectType): StoredRecord[] {
    return [...this.records[objectType].values()];
  }

  /** Id of the contact holding this email (case-insensitive), if any. */
  contactIdByEmail(email: string): string | undefined {
    return this.emails.get(email.trim().toLowerCase());
  }

  create(objectType: ObjectType, values: Record<string, string>, source: ChangeSource): WriteOutcome {
    const now = this.options.now();
    const iso = new Date(now).toISOString();
    const id = String(this.nextId++);
    const record: StoredRecord = {
      id,
      objectType,
      properties: { createdate: iso, [MODIFIED_PROPERTY[objectType]]: iso, hs_object_id: id },
      history: {},
      createdAt: now,
      updatedAt: now,
      versions: [],
    };
    this.records[objectType].set(id, record);
    const changed = this.assign(record, values, source, iso);
    this.derive(record, iso, changed);
    this.emit({ kind: 'creation', objectType, id, at: now, source });
    this.emitChanges(record, changed, source, now);
    return { record, changed };
  }

  update(
    objectType: ObjectType,
    id: string,
    values: Record<string, string>,
    source: ChangeSource,
    rules: { forwardOnlyLifecycle: boolean },
  ): WriteOutcome | undefined {
    const record = this.records[objectType].get(id);
    if (!record) return undefined;
    const accepted = { ...values };
    if (rules.forwardOnlyLifecycle && this.options.lifecycleBackwardWrites === 'ignore') {
      // HubSpot answers success for a backward stage write and silently keeps the later stage.
      const next = accepted.lifecyclestage;
      const current = record.properties.lifecyclestage;
      const nextRank = next ? STAGE_RANK.get(next) : undefined;
      const currentRank = current ? STAGE_RANK.get(current) : undefined;
      if (nextRank !== undefined && currentRank !== undefined && nextRank < currentRank)
        delete accepted.lifecyclestage;
    }
    const now = this.options.now();
    const iso = new Date(now).toISOString();
    const before = { ...record.properties };
    const changed = this.assign(record, accepted, source, iso);
    this.derive(record, iso, changed);
    if (changed.length > 0) {
      this.remember(record, before, now);
      record.updatedAt = now;
      record.properties[MODIFIED_PROPERTY[objectType]] = iso;
      this.emitChanges(record, changed, source, now);
    }
    return { record, changed };
  }

  associate(contactId: string, dealId: string): boolean {
    const key = `${contactId}|${dealId}`;
    if (this.links.has(key)) return false;
    this.links.add(key);
    return true;
  }

  dissociate(contactId: string, dealId: string): boolean {
    return this.links.delete(`${contactId}|${dealId}`);
  }

  /** Ids of the other side's objects associated with `id`, in ascending numeric order. */
  associated(from: ObjectType, id: string): string[] {
    const out: string[] = [];
    for (const key of this.links) {
      const [contactId, dealId] = key.split('|') as [string, string];
      if (from === 'contacts' && contactId === id) out.push(dealId);
      if (from === 'deals' && dealId === id) out.push(contactId);
    }
    return out.sort((a, b) => Number(a) - Number(b));
  }

  /** The record as the (lagging) search index sees it, or undefined when not indexed yet. */
  searchable(record: StoredRecord): Record<string, string> | undefined {
    const lag = this.options.searchIndexLagMs;
    if (lag <= 0) return record.properties;
    const horizon = this.options.now() - lag;
    if (record.createdAt > horizon) return undefined;
    if (record.updatedAt <= horizon) return record.properties;
    let seen: Record<string, string> | undefined;
    for (const version of record.versions) if (version.at <= horizon) seen = version.properties;
    return seen;
  }

  private assign(
    record: StoredRecord,
    values: Record<string, string>,
    source: ChangeSource,
    iso: string,
  ): string[] {
    const changed: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      const current = record.properties[name] ?? '';
      if (current === value) continue;
      if (name === 'email' && record.objectType === 'contacts') {
        if (current) this.emails.delete(current);
        if (value) this.emails.set(value, record.id);
      }
      if (value === '') delete record.properties[name];
      else record.properties[name] = value;
      const entry: HistoryEntry = { value, timestamp: iso, sourceType: source.sourceType };
      if (source.sourceId !== undefined) entry.sourceId = source.sourceId;
      const entries = record.history[name] ?? [];
      entries.unshift(entry);
      record.history[name] = entries;
      if (!SYSTEM.has(name)) changed.push(name);
    }
    return changed;
  }

  /** Calculated properties HubSpot keeps in step with the ones they derive from. */
  private derive(record: StoredRecord, iso: string, changed: string[]): void {
    if (record.objectType !== 'deals' || !changed.includes('dealstage')) return;
    const won = record.properties.dealstage === 'closedwon' ? 'true' : 'false';
    changed.push(...this.assign(record, { hs_is_closed_won: won }, { sourceType: 'CALCULATED' }, iso));
  }

  private remember(record: StoredRecord, before: Record<string, string>, now: number): void {
    const lag = this.options.searchIndexLagMs;
    if (lag <= 0) return;
    record.versions.push({ at: record.updatedAt, properties: before });
    // Keep only what the lagging index can still see: the newest version at or before the horizon.
    const horizon = now - lag;
    while (record.versions.length > 1 && (record.versions[1]?.at ?? Number.POSITIVE_INFINITY) <= horizon) {
      record.versions.shift();
    }
  }

  private emitChanges(record: StoredRecord, changed: string[], source: ChangeSource, at: number): void {
    for (const propertyName of changed) {
      const value = record.properties[propertyName] ?? '';
      this.emit({
        kind: 'propertyChange',
        objectType: record.objectType,
        id: record.id,
        at,
        source,
        propertyName,
        value,
      });
    }
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
