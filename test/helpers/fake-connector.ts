/**
 * An in-memory CRM behind the `Connector` interface, for integration tests of the pipeline against a
 * real Redis. It records every call and lets a test script failures: a batch-level error thrown by
 * the next write call, or a per-record error for chosen ids.
 */
import type {
  ChangeCursor,
  ChangePage,
  Connector,
  ObjectSchema,
  RawFields,
  RecordCreate,
  RecordPatch,
  RecordWriteError,
  SourceRecord,
  SystemName,
  WriteResult,
} from '../../src/connector/types.js';

export interface UpdateCall {
  object: string;
  patches: RecordPatch[];
}

/** Counts reads in flight, shared by several fakes to see whether syncs overlapped. */
export interface ReadTracker {
  inFlight: number;
  maxInFlight: number;
  total: number;
}

export const newReadTracker = (): ReadTracker => ({ inFlight: 0, maxInFlight: 0, total: 0 });

export class FakeConnector implements Connector {
  readonly records = new Map<string, Map<string, SourceRecord>>();
  readonly updateCalls: UpdateCall[] = [];
  readonly createCalls: Array<{ object: string; creates: RecordCreate[] }> = [];
  readonly readChangesCalls: Array<{ object: string; after: ChangeCursor | null; limit: number }> = [];
  readonly readByIdsCalls: Array<{ object: string; ids: string[] }> = [];
  /** Thrown (once each, in order) by the next write calls instead of writing. */
  readonly writeFailures: Error[] = [];
  /** Per-record errors returned for these record ids until removed. */
  readonly recordErrors = new Map<string, RecordWriteError>();
  /** Per-record errors for creates, chosen from the fields to create (e.g. a duplicate email). */
  createError: ((fields: RawFields) => RecordWriteError | undefined) | undefined;
  /** Thrown (once each) by the next write calls *after* writing: a response lost on the way back. */
  readonly lostResponses: Error[] = [];
  /** Delay added to every read, so concurrent syncs overlap. */
  readDelayMs = 0;
  /** When set, reads wait for this promise first (to hold a sync mid-flight). */
  readGate: Promise<void> | undefined;
  private nextId = 1;
  private clock = Date.parse('2024-05-01T10:00:00.000Z');

  constructor(
    readonly system: SystemName,
    readonly reads: ReadTracker = newReadTracker(),
  ) {}

  /** Stores (or replaces) a record; its modifiedAt moves forward one second per call unless given. */
  put(object: string, id: string, fields: RawFields, modifiedAt?: string): SourceRecord {
    this.clock += 1_000;
    const record: SourceRecord = {
      object,
      id,
      modifiedAt: modifiedAt ?? new Date(this.clock).toISOString(),
      fields: { ...fields },
    };
    let table = this.records.get(object);
    if (!table) {
      table = new Map();
      this.records.set(object, table);
    }
    table.set(id, record);
    return record;
  }

  get(object: string, id: string): SourceRecord | undefined {
    return this.records.get(object)?.get(id);
  }

  async readChanges(
    object: string,
    after: ChangeCursor | null,
    _fields: string[],
    limit: number,
  ): Promise<ChangePage> {
    this.readChangesCalls.push({ object, after, limit });
    const ordered = [...(this.records.get(object)?.values() ?? [])]
      .filter((r) => !after || compareCursor(r, after) > 0)
      .sort(compareCursor);
    const page = ordered.slice(0, limit);
    const last = page.at(-1);
    return {
      records: page.map(clone),
      cursor: last ? { modifiedAt: last.modifiedAt, id: last.id } : after,
      done: ordered.length <= limit,
    };
  }

  async readByIds(object: string, ids: string[], _fields: string[]): Promise<Map<string, SourceRecord>> {
    this.readByIdsCalls.push({ object, ids: [...ids] });
    return this.tracked(async () => {
      const found = new Map<string, SourceRecord>();
      for (const id of ids) {
        const record = this.get(object, id);
        if (record) found.set(id, clone(record));
      }
      return found;
    });
  }

  async findByEmails(object: string, emails: string[], _fields: string[]): Promise<SourceRecord[]> {
    const wanted = new Set(emails.map((e) => e.toLowerCase()));
    return this.tracked(async () =>
      [...(this.records.get(object)?.values() ?? [])]
        .filter((r) => {
          const email = r.fields.email ?? r.fields.Email;
          return typeof email === 'string' && wanted.has(email.toLowerCase());
        })
        .map(clone),
    );
  }

  async updateRecords(object: string, patches: RecordPatch[]): Promise<WriteResult[]> {
    this.updateCalls.push({ object, patches });
    const failure = this.writeFailures.shift();
    if (failure) throw failure;
    const results = patches.map((patch): WriteResult => {
      const error = this.recordErrors.get(patch.id);
      if (error) return { ref: patch.ref, ok: false, error };
      const existing = this.get(object, patch.id);
      this.put(object, patch.id, { ...existing?.fields, ...patch.fields });
      return { ref: patch.ref, ok: true, id: patch.id };
    });
    const lost = this.lostResponses.shift();
    if (lost) throw lost;
    return results;
  }

  async createRecords(object: string, creates: RecordCreate[]): Promise<WriteResult[]> {
    this.createCalls.push({ object, creates });
    const failure = this.writeFailures.shift();
    if (failure) throw failure;
    const results = creates.map((create): WriteResult => {
      const error = this.createError?.(create.fields);
      if (error) return { ref: create.ref, ok: false, error };
      const id = `${object}-new-${this.nextId++}`;
      this.put(object, id, create.fields);
      return { ref: create.ref, ok: true, id };
    });
    const lost = this.lostResponses.shift();
    if (lost) throw lost;
    return results;
  }

  async describe(object: string): Promise<ObjectSchema> {
    return { object, fields: [] };
  }

  /** Runs a read after the gate and delay, counting it in flight for the whole time. */
  private async tracked<T>(read: () => Promise<T>): Promise<T> {
    this.reads.inFlight += 1;
    this.reads.total += 1;
    this.reads.maxInFlight = Math.max(this.reads.maxInFlight, this.reads.inFlight);
    try {
      if (this.readGate) await this.readGate;
      if (this.readDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.readDelayMs));
      return await read();
    } finally {
      this.reads.inFlight -= 1;
    }
  }
}

function compareCursor(a: ChangeCursor, b: ChangeCursor): number {
  if (a.modifiedAt !== b.modifiedAt) return a.modifiedAt < b.modifiedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function clone(record: SourceRecord): SourceRecord {
  return { ...record, fields: { ...record.fields } };
}
