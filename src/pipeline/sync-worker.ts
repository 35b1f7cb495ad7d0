/**
 * The sync worker on `changes`: one job per changed record, serialised per person by a Redis lock
 * (the linked pair), many people at once so their reads coalesce into batches.
 */
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuthError, BadRequestError, RateLimitedError } from '../connector/errors.js';
import { vendorBackoff } from './backoff.js';
import type { SyncContext } from './context.js';
import { watchDeadLetters } from './dead-letters.js';
import { CHANGES_QUEUE, type ChangeJob } from './queues.js';
import { PersonBusyError, syncRecord } from './sync-record.js';

export interface SyncWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** Expiry of a person's lock; it is renewed every third of this while the sync runs. */
  personLockMs?: number;
}

/** Short enough that a crashed process frees its people soon, renewed so a slow sync keeps them. */
const PERSON_LOCK_MS = 60_000;

export function startSyncWorker(ctx: SyncContext, options: SyncWorkerOptions): Worker<ChangeJob> {
  const worker: Worker<ChangeJob> = new Worker<ChangeJob>(
    CHANGES_QUEUE,
    async (job: Job<ChangeJob>, token?: string) => {
      const lockMs = options.personLockMs ?? PERSON_LOCK_MS;
      const lockName = await personLockName(ctx, job.data);
      const lock = await ctx.locks.tryAcquire(lockName, lockMs);
      const retryShortly = async () => {
        await job.moveToDelayed(Date.now() + 50 + Math.floor(Math.random() * 200), token);
        return new DelayedError();
      };
      if (!lock) throw await retryShortly();
      const extraLocks: Array<[string, string]> = [];
      const claimPerson = async (hubspotId: string) => {
        const name = `person:${hubspotId}`;
        if (name === lockName) return true;
        const extra = await ctx.locks.tryAcquire(name, lockMs);
        if (extra) extraLocks.push([name, extra]);
        return extra !== undefined;
      };
      // A sync can outlast the lock's expiry (a slow API call, a wait for the API budget): keep the
      // locks alive while it runs, so a second sync of the person never starts beside it.
      const renewal = setInterval(() => {
        for (const [name, token] of [[lockName, lock] as const, ...extraLocks])
          ctx.locks.extend(name, token, lockMs).then(
            (held) => {
              if (!held) ctx.logger.warn({ lock: name, job: job.id }, 'person lock lost during a sync');
            },
            (error: unknown) => ctx.logger.warn({ err: error, lock: name }, 'person lock renewal failed'),
          );
      }, lockMs / 3);
      try {
        const outcome = await syncRecord(ctx, job.data, claimPerson);
        // The changed record's system answered; the other one did unless the sync ended early.
        ctx.health?.credentialsAccepted(job.data.system);
        if (outcome === 'patched' || outcome === 'in-sync')
          ctx.health?.credentialsAccepted(job.data.system === 'hubspot' ? 'salesforce' : 'hubspot');
        return outcome;
      } catch (error) {
        if (error instanceof PersonBusyError) throw await retryShortly();
        if (error instanceof RateLimitedError) {
          await worker.rateLimit(error.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (error instanceof AuthError) {
          ctx.health?.credentialsRejected(error.system, error.message);
          // Every sync would fail the same way: hold the queue instead of dead-lettering each change.
          await worker.rateLimit(60_000);
          ctx.logger.error(
            { system: error.system, err: error },
            'API credentials rejected: sync paused; fix the credentials',
          );
          throw Worker.RateLimitError();
        }
        const record = `${job.data.system === 'hubspot' ? 'HubSpot' : 'Salesforce'} ${job.data.object} ${job.data.id}`;
        if (error instanceof BadRequestError)
          throw new UnrecoverableError(
            `${record}: ${error.system} rejected a read: ${error.message}. Fix: check the mapping with \`lockstep validate --live\`, then retry`,
          );
        if (error instanceof UnrecoverableError) throw error;
        // Retried with backoff; the message is the dead letter's reason if attempts run out.
        throw new Error(`${record}: ${(error as Error).message ?? String(error)}`, { cause: error });
      } finally {
        clearInterval(renewal);
        await ctx.locks.release(lockName, lock);
        for (const [name, token] of extraLocks) await ctx.locks.release(name, token);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      settings: { backoffStrategy: vendorBackoff },
    },
  );
  watchDeadLetters(worker, ctx, 'change');
  worker.on('error', (error) => ctx.logger.error({ err: error, queue: CHANGES_QUEUE }, 'sync worker error'));
  return worker;
}

/** The person is the HubSpot contact id when known: both halves of a linked pair take the same lock. */
async function personLockName(ctx: SyncContext, change: ChangeJob): Promise<string> {
  if (change.system === 'hubspot') return `person:${change.id}`;
  const hubspotId = await ctx.crosswalk.hubSpotOfSalesforce(change.id);
  return hubspotId ? `person:${hubspotId}` : `person:sf-${change.id}`;
}
