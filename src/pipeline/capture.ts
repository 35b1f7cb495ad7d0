/**
 * Capture by polling: for each system and object, read what changed after the stored compound
 * cursor, queue one pending job per record, then move the cursor. One poller per (system, object)
 * runs across all processes (a Redis lease), and a crash between queueing and saving the cursor only
 * re-queues records, which the merge then finds unchanged.
 */
import type { Logger } from 'pino';
import type { ChangeCursor, Connector } from '../connector/types.js';
import type { CursorStore } from '../state/cursor-store.js';
import type { Locks } from '../state/lock.js';
import { type ChangeJob, changeKey, type LockstepQueues } from './queues.js';

export interface PollTarget {
  connector: Connector;
  object: string;
  fields: string[];
  pageSize: number;
  /**
   * Salesforce stamps SystemModstamp to the whole second, so a record edited twice within one second
   * keeps the exact (SystemModstamp, Id) the cursor already holds, and a strict "after the cursor" read
   * would miss the second edit. For this long after the cursor's time (plus clock skew), each poll reads
   * the cursor's whole second again; re-queued records merge to "no change" and cost no write.
   */
  rereadSecondForMs?: number;
}

export interface PollerDeps {
  queues: LockstepQueues;
  cursors: CursorStore;
  locks: Locks;
  logger: Logger;
}

export const changeJobOptions = {
  attempts: 6,
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
      // One pending job per record: a second capture while the first waits is folded into it.
      opts: { ...changeJobOptions, deduplication: { id: changeKey(change) } },
    })),
  );
}

/** One pass: drains every page currently available. Returns how many records were queued. */
export async function pollOnce(target: PollTarget, deps: PollerDeps, maxPages = 50): Promise<number> {
  const system = target.connector.system;
  const leaseName = `poller:${system}:${target.object}`;
  const lease = await deps.locks.tryAcquire(leaseName, 120_000);
  if (!lease) return 0;
  let queued = 0;
  try {
    const stored = await deps.cursors.get(system, target.object);
    let cursor = startCursor(stored, target.rereadSecondForMs, now());
    for (let page = 0; page < maxPages; page += 1) {
      const result = await target.connector.readChanges(
        target.object,
        cursor,
        target.fields,
        target.pageSize,
      );
      await enqueueChanges(
        deps.queues,
        result.records.map((record) => ({ system, object: record.object, id: record.id })),
      );
      queued += result.records.length;
      if (result.cursor) {
        cursor = result.cursor;
        if (!stored || compareCursors(cursor, stored) > 0)
          await deps.cursors.set(system, target.object, cursor);
      }
      if (result.done) break;
    }
  } finally {
    await deps.locks.release(leaseName, lease);
  }
  return queued;
}

let now: () => number = Date.now;
/** Tests move the clock. */
export function setCaptureClock(clock: () => number): void {
  now = clock;
}

/** Where a poll starts: the stored cursor, or just before its whole second while that second may still change. */
export function startCursor(
  stored: ChangeCursor | null,
  rereadSecondForMs: number | undefined,
  at: number,
): ChangeCursor | null {
  if (!stored || !rereadSecondForMs) return stored;
  const time = Date.parse(stored.modifiedAt);
  if (Number.isNaN(time) || at - time > rereadSecondForMs) return stored;
  const secondStart = Math.floor(time / 1000) * 1000;
  return { modifiedAt: new Date(secondStart - 1000).toISOString(), id: '' };
}

export function compareCursors(a: ChangeCursor, b: ChangeCursor): number {
  const byTime = Date.parse(a.modifiedAt) - Date.parse(b.modifiedAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Polls every target on an interval until stopped. */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly targets: PollTarget[],
    private readonly deps: PollerDeps,
    private readonly intervalMs: number,
    private readonly onQueued: (system: string, object: string, count: number) => void = () => {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => this.schedule(this.intervalMs));
    }, delay);
  }

  private async tick(): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        try {
          const count = await pollOnce(target, this.deps);
          if (count > 0) this.onQueued(target.connector.system, target.object, count);
        } catch (error) {
          this.deps.logger.warn(
            { err: error, system: target.connector.system, object: target.object },
            'poll failed; will retry next interval',
          );
        }
      }),
    );
  }
}
