/**
 * The one interface the core uses to talk to a CRM. Only `connectors/` implement it; the core never
 * imports jsforce or @hubspot/api-client (DESIGN.md §2).
 */

export type SystemName = 'hubspot' | 'salesforce';

/** Vendor field values exactly as the API returned them (HubSpot: strings or null). */
export type RawFields = Record<string, unknown>;

/** A record read from a CRM. `object` is the vendor object name: `contacts`, `Lead`, `Contact`. */
export interface SourceRecord {
  object: string;
  id: string;
  /** ISO-8601 time of the last modification the cursor orders on (SystemModstamp / lastmodifieddate). */
  modifiedAt: string;
  fields: RawFields;
}

/**
 * Compound capture cursor. Timestamps alone lose records on ties (SystemModstamp has whole-second
 * precision), so every read orders on (modifiedAt, id) and resumes strictly after the pair.
 */
export interface ChangeCursor {
  modifiedAt: string;
  id: string;
}

export interface ChangePage {
  records: SourceRecord[];
  /** Cursor after the last record of this page (unchanged input cursor when the page is empty). */
  cursor: ChangeCursor | null;
  /** True when no more changes are known right now. */
  done: boolean;
}

export interface RecordPatch {
  /** Caller's correlation key, echoed in the matching {@link WriteResult}. */
  ref: string;
  id: string;
  fields: RawFields;
  /**
   * Fields to clear in a separate, earlier request before `fields` are written. HubSpot ignores a
   * backward `lifecyclestage` write unless it was cleared first, and batch order is not guaranteed,
   * so the clear cannot ride in the same batch.
   */
  clearFirst?: string[];
}

export interface RecordCreate {
  ref: string;
  fields: RawFields;
}

export type WriteErrorKind =
  /** The record itself is wrong (bad picklist value, validation rule, converted lead): never retry. */
  | 'permanent'
  /** The record could not be written this time (lock contention, transient server state): retry. */
  | 'retryable';

export interface RecordWriteError {
  kind: WriteErrorKind;
  /** Vendor code, e.g. `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`, `VALIDATION_ERROR`, `CONFLICT`. */
  code: string;
  /** Vendor message, verbatim. */
  message: string;
  /** Vendor field / property names the error is about (may be empty). */
  fields: string[];
}

export type WriteResult =
  | { ref: string; ok: true; id: string }
  | { ref: string; ok: false; error: RecordWriteError };

export interface FieldSchema {
  name: string;
  label: string;
  /** Vendor type: Salesforce `picklist`, `string`, `double`…; HubSpot `enumeration`, `string`, `number`… */
  type: string;
  writable: boolean;
  /** Allowed values for picklists / enumerations (active ones only); absent for free fields. */
  options?: string[];
  /** True when the vendor rejects values outside `options`. */
  restricted?: boolean;
  /** Maximum text length, when the vendor declares one. */
  length?: number;
}

export interface ObjectSchema {
  object: string;
  fields: FieldSchema[];
}

export interface Connector {
  readonly system: SystemName;
  /** Records changed strictly after `after` (or all, when null), ordered by (modifiedAt, id). */
  readChanges(
    object: string,
    after: ChangeCursor | null,
    fields: string[],
    limit: number,
  ): Promise<ChangePage>;
  /** Batched read by id; ids that do not exist (or were deleted) are absent from the map. */
  readByIds(object: string, ids: string[], fields: string[]): Promise<Map<string, SourceRecord>>;
  /** Records whose email equals one of `emails` (case-insensitive), batched. */
  findByEmails(object: string, emails: string[], fields: string[]): Promise<SourceRecord[]>;
  /** Batched update; one result per patch, matched by `ref`, in any order. Batch-level failures throw. */
  updateRecords(object: string, patches: RecordPatch[]): Promise<WriteResult[]>;
  /** Batched create; one result per input, matched by `ref`. Batch-level failures throw. */
  createRecords(object: string, creates: RecordCreate[]): Promise<WriteResult[]>;
  describe(object: string): Promise<ObjectSchema>;
}
