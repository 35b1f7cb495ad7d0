/**
 * What one poller read and queued recently. A poll must re-read its settle window (see `SettleWindow`
 * in capture.ts); under bulk load that is thousands of records, so:
 * - between two re-reads of the window (one per `rereadEveryMs`) a poll starts after the furthest
 *   record already read, so new changes arrive at the poll interval, and a record that appears late
 *   in the window at most one re-read period later;
 * - a record read again unchanged is not queued again.
 *
 * Skipping is safe: once a record was queued with some content, a sync reads it at or after that
 * moment (a pending job is only folded into one that has not started), so the same content read
 * again needs no second sync. In process memory only: a poller that restarts or moves to another
 * process re-queues, which costs a sync, never a change.
 */
import { createHash } from 'node:crypto';
import type { ChangeCursor, SourceRecord } from '../connector/types.js';

/** Enough for a busy open window; past it the memory starts afresh rather than grow. */
const MAX_ENTRIES = 100_000;

/** Default: how often a poll starts from the saved cursor and reads the whole window again. */
export const WINDOW_REREAD_MS = 1_000;

interface QueuedRecord {
  modifiedAt: string;
  modifiedMs: number;
  fingerprint: string;
}

export class CaptureMemory {
  private readonly queued = new Map<string, QueuedRecord>();
  /** Fingerprints `unseen` computed, for `remember` of the same records (a hash per record, not two). */
  private readonly fingerprints = new WeakMap<SourceRecord, string>();
  private readCursor: ChangeCursor | null = null;
  private windowReadAt = Number.NEGATIVE_INFINITY;
  private forgottenBefore = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowRereadMs = WINDOW_REREAD_MS,
    /**
     * Whether a record can change and keep its stamp (Salesforce: whole seconds), so content must be
     * compared too. HubSpot stamps each edit to the millisecond: the stamp alone tells, no hash needed.
     */
    private readonly stampsHideEdits = true,
  ) {}

  /** Where a poll starts: the saved cursor once per window period, else the furthest record read. */
  startFrom(saved: ChangeCursor | null, now: number): ChangeCursor | null {
    const ahead = this.readCursor && (!saved || compareCursors(this.readCursor, saved) > 0);
    if (!ahead || now - this.windowReadAt >= this.windowRereadMs) {
      this.windowReadAt = now;
      return saved;
    }
    return this.readCursor;
  }

  /**
   * When the last re-read of the window started. The saved cursor must be settled against this time,
   * not the current one: between re-reads, polls start at the furthest record read, so a cursor
   * that kept moving with the clock would pass records no re-read has looked at yet.
   */
  get windowStartedAt(): number {
    return this.windowReadAt;
  }

  /** Records how far a poll read. */
  advance(cursor: ChangeCursor): void {
    if (!this.readCursor || compareCursors(cursor, this.readCursor) > 0) this.readCursor = cursor;
  }

  /** The records not queued before with exactly this content. */
  unseen(records: SourceRecord[]): SourceRecord[] {
    return records.filter((record) => {
      const known = this.queued.get(record.id);
      return (
        !known || known.modifiedAt !== record.modifiedAt || known.fingerprint !== this.fingerprint(record)
      );
    });
  }

  remember(records: SourceRecord[]): void {
    if (this.queued.size + records.length > MAX_ENTRIES) this.queued.clear();
    for (const record of records) {
      this.queued.set(record.id, {
        modifiedAt: record.modifiedAt,
        modifiedMs: Date.parse(record.modifiedAt),
        fingerprint: this.fingerprint(record),
      });
    }
  }

  /** Forgets records behind the saved cursor: no poll reads them again. */
  forgetBefore(modifiedAt: string): void {
    const cutoff = Date.parse(modifiedAt);
    // Every page saves a cursor; the memory only needs sweeping when it moved.
    if (cutoff <= this.forgottenBefore) return;
    this.forgottenBefore = cutoff;
    for (const [id, entry] of this.queued) if (entry.modifiedMs < cutoff) this.queued.delete(id);
  }

  get size(): number {
    return this.queued.size;
  }

  private fingerprint(record: SourceRecord): string {
    if (!this.stampsHideEdits) return '';
    let fingerprint = this.fingerprints.get(record);
    if (fingerprint === undefined) {
      fingerprint = fingerprintOf(record);
      this.fingerprints.set(record, fingerprint);
    }
    return fingerprint;
  }
}

function fingerprintOf(record: SourceRecord): string {
  return createHash('sha1').update(JSON.stringify(record.fields)).digest('base64');
}

export function compareCursors(a: ChangeCursor, b: ChangeCursor): number {
  const byTime = Date.parse(a.modifiedAt) - Date.parse(b.modifiedAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
