/**
 * What one poller read and queued recently. Salesforce polls must re-read the open second (see
 * `openSecondMarginMs`); under bulk load that is thousands of records, so:
 * - between two re-reads of the open window (one per {@link WINDOW_REREAD_MS}) a poll starts after
 *   the furthest record already read, so new changes arrive at the poll interval and a re-edit
 *   within the same second at most one window period later;
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

/** How often a poll starts from the saved cursor and reads the whole open window again. */
export const WINDOW_REREAD_MS = 1_000;

export class CaptureMemory {
  private readonly queued = new Map<string, { modifiedAt: string; fingerprint: string }>();
  private readCursor: ChangeCursor | null = null;
  private windowReadAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly windowRereadMs = WINDOW_REREAD_MS) {}

  /** Where a poll starts: the saved cursor once per window period, else the furthest record read. */
  startFrom(saved: ChangeCursor | null, now: number): ChangeCursor | null {
    const ahead = this.readCursor && (!saved || compareCursors(this.readCursor, saved) > 0);
    if (!ahead || now - this.windowReadAt >= this.windowRereadMs) {
      this.windowReadAt = now;
      return saved;
    }
    return this.readCursor;
  }

  /** Records how far a poll read. */
  advance(cursor: ChangeCursor): void {
    if (!this.readCursor || compareCursors(cursor, this.readCursor) > 0) this.readCursor = cursor;
  }

  /** The records not queued before with exactly this content. */
  unseen(records: SourceRecord[]): SourceRecord[] {
    return records.filter((record) => {
      const known = this.queued.get(record.id);
      return !known || known.modifiedAt !== record.modifiedAt || known.fingerprint !== fingerprintOf(record);
    });
  }

  remember(records: SourceRecord[]): void {
    if (this.queued.size + records.length > MAX_ENTRIES) this.queued.clear();
    for (const record of records)
      this.queued.set(record.id, { modifiedAt: record.modifiedAt, fingerprint: fingerprintOf(record) });
  }

  /** Forgets records behind the saved cursor: no poll reads them again. */
  forgetBefore(modifiedAt: string): void {
    const cutoff = Date.parse(modifiedAt);
    for (const [id, entry] of this.queued) if (Date.parse(entry.modifiedAt) < cutoff) this.queued.delete(id);
  }

  get size(): number {
    return this.queued.size;
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
