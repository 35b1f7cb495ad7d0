/**
 * Capture by polling: for each system and object, read what changed after the stored compound
 * cursor, queue one pending job per record, then move the cursor. One poller per (system, object)
 * runs across all processes (a Redis lease), and a crash between queueing and saving the cursor only
 * re-queues records, which the merge then finds unchanged.
 */
import type { Logger } from 'pino';
import { AuthError, RateLimitedError } from '../connector/errors.js';
import { GATE_HELD } from '../connector/request-gate.js';
import type { ChangeCursor, Connector } from '../connector/types.js';
import type { CursorStore } from '../state/cursor-store.js';
import type { Locks } from '../state/lock.js';
import { CaptureMemory, compareCursors } from './capture-memory.js';

export { compareCursors };

import type { EchoFilter } from './echo-filter.js';
import type { SyncHealth } from './health.js';
import { type ChangeJob, changeKey, type LockstepQueues } from './queues.js';

export interface PollTarget {
  connector: Connector;
  object: string;
  fields: string[];
  pageSize: number;
  /** Where records may still appear behind the newest one read; none when absent (see SettleWindow). */
  settle?: SettleWindow;
}

/**
 * The recent stretch of a change feed that is not final yet, so the saved cursor never enters it:
 * - Salesforce stamps SystemModstamp to the whole second, so a record edited twice within one second
 *   keeps the (SystemModstamp, Id) the cursor already holds, and "strictly after the cursor" would miss
 *   the second edit (margin: clock skew, precision one second).
 * - HubSpot search indexes updates seconds to about a minute late, so a record can turn up with a
 *   stamp older than records already read (margin: the index lag, precision one millisecond).
 * The window is read again from the saved cursor every `rereadEveryMs`; the capture memory keeps
 * records read again unchanged from being queued twice, so a re-read costs API reads, never syncs.
 */
export interface SettleWindow {
  marginMs: number;
  /** Stamp precision: the saved cursor stops before the first stamp that may still fill. */
  precisionMs: number;
  /** The lowest id in the system's id order: a cursor at a stamp with it reads the whole stamp. */
  lowestId: string;
  rereadEveryMs: number;
}

export interface PollerDeps {
  queues: LockstepQueues;
  cursors: CursorStore;
  /** Drops records that carry nothing to sync (Lockstep's own writes coming back); none when absent. */
  needsSync?: EchoFilter;
  locks: Locks;
  logger: Logger;
  /** Told when a vendor rejects or accepts the credentials, for /readyz. */
  health?: SyncHealth;
}

export const changeJobOptions = {
  // With the 10-minute backoff cap this rides out a vendor outage of about two and a half hours.
  attempts: 20,
  backoff: { type: 'vendor' },
  removeOnComplete: true,
  removeOnFail: false,
} as const;

export async function enqueueChanges(queues: LockstepQueues, changes: ChangeJob[]): Promise<void> {
  if (changes.length === 0) return;
  await queues.changes.addBulk(
    changes.map((change) => ({
      name: 'change',
      data: change,
      // One pending job per record: a second capture while the first waits is folded into it. One
      // that arrives while the sync runs (its reads may be done) is kept and queued as the next job
      // once this one finishes, so it is never lost and never runs beside it.
      opts: { ...changeJobOptions, deduplication: { id: changeKey(change), keepLastIfActive: true } },
    })),
  );
}

/** One pass: drains every page currently available. Returns how many records were queued. */
export async function pollOnce(
  target: PollTarget,
  deps: PollerDeps,
  memory?: CaptureMemory,
  maxPages = 50,
  /** Checked between pages: a shutdown does not wait for a whole backlog to be read. */
  stopping: () => boolean = () => false,
): Promise<number> {
  const system = target.connector.system;
  const leaseName = `poller:${system}:${target.object}`;
  const lease = await deps.locks.tryAcquire(leaseName, 120_000);
  if (!lease) return 0;
  let queued = 0;
  try {
    const stored = await deps.cursors.get(system, target.object);
    let cursor = memory ? memory.startFrom(stored, Date.now()) : stored;
    for (let page = 0; page < maxPages; page += 1) {
      const result = await target.connector.readChanges(
        target.object,
        cursor,
        target.fields,
        target.pageSize,
      );
      const unseen = memory ? memory.unseen(result.records) : result.records;
      const changed = deps.needsSync ? await deps.needsSync(unseen) : unseen;
      await enqueueChanges(
        deps.queues,
        changed.map((record) => ({ system, object: record.object, id: record.id })),
      );
      // Echoes are remembered too: content that held its person's base carries nothing from this
      // side, and any later base change comes with a sync of its own that reads this record fresh.
      memory?.remember(unseen);
      queued += changed.length;
      if (result.cursor) {
        cursor = result.cursor;
        memory?.advance(cursor);
        const safe = settledCursor(cursor, target.settle, memory?.windowStartedAt ?? Date.now());
        if (!stored || compareCursors(safe, stored) > 0) await deps.cursors.set(system, target.object, safe);
        memory?.forgetBefore(safe.modifiedAt);
      }
      if (result.done || stopping()) break;
    }
  } finally {
    await deps.locks.release(leaseName, lease);
  }
  return queued;
}

/**
 * The cursor to save: `read`, unless it lies in the settle window; then the cursor just before the
 * window (one stamp earlier, lowest id), so a later poll reads the whole window again.
 */
export function settledCursor(
  read: ChangeCursor,
  settle: SettleWindow | undefined,
  at: number,
): ChangeCursor {
  if (!settle) return read;
  const openFrom = Math.floor((at - settle.marginMs) / settle.precisionMs) * settle.precisionMs;
  if (Date.parse(read.modifiedAt) < openFrom) return read;
  return { modifiedAt: new Date(openFrom - settle.precisionMs).toISOString(), id: settle.lowestId };
}

/**
 * Polls every target on an interval until stopped. Each target runs on its own timer: a poll waiting
 * on one vendor's budget (a Retry-After slept through in the gate) must not hold the other's capture.
 */
export class Poller {
  private readonly timers = new Map<PollTarget, NodeJS.Timeout>();
  private readonly running = new Map<PollTarget, Promise<void>>();
  private stopped = false;
  private readonly memories = new Map<PollTarget, CaptureMemory>();

  constructor(
    private readonly targets: PollTarget[],
    private readonly deps: PollerDeps,
    private readonly intervalMs: number,
    private readonly onQueued: (system: string, object: string, count: number) => void = () => {},
  ) {}

  start(): void {
    this.stopped = false;
    for (const target of this.targets) this.schedule(target, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running.values());
  }

  private schedule(target: PollTarget, delay: number): void {
    if (this.stopped) return;
    this.timers.set(
      target,
      setTimeout(() => {
        const run = this.poll(target).finally(() => {
          this.running.delete(target);
          this.schedule(target, this.intervalMs);
        });
        this.running.set(target, run);
      }, delay),
    );
  }

  private memoryOf(target: PollTarget): CaptureMemory {
    let memory = this.memories.get(target);
    if (!memory) {
      memory = new CaptureMemory(target.settle?.rereadEveryMs, (target.settle?.precisionMs ?? 1) >= 1_000);
      this.memories.set(target, memory);
    }
    return memory;
  }

  private async poll(target: PollTarget): Promise<void> {
    try {
      const count = await pollOnce(target, this.deps, this.memoryOf(target), 50, () => this.stopped);
      this.deps.health?.credentialsAccepted(target.connector.system);
      if (count > 0) this.onQueued(target.connector.system, target.object, count);
    } catch (error) {
      if (error instanceof AuthError)
        this.deps.health?.credentialsRejected(target.connector.system, error.message);
      // A budget the gate holds (a pause, the daily reserve) was said where it was set: a line per
      // poll interval for the whole pause would bury everything else. A vendor's 429 is news.
      const level = error instanceof RateLimitedError && error.code === GATE_HELD ? 'debug' : 'warn';
      this.deps.logger[level](
        { err: error, system: target.connector.system, object: target.object },
        'poll failed; will retry next interval',
      );
    }
  }
}
