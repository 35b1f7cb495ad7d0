/**
 * Builds a `SyncContext` on a real Redis (under a test's own prefix) with fake connectors, the way
 * the daemon assembles it, for integration tests of the workers.
 */
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { MappingConfig, SalesforceObject } from '../../src/mapping/compile.js';
import type { SyncContext } from '../../src/pipeline/context.js';
import { createQueues, type WriteJob } from '../../src/pipeline/queues.js';
import { RecordReader } from '../../src/pipeline/record-reader.js';
import { startWriter } from '../../src/pipeline/write-worker.js';
import { BaseStore } from '../../src/state/base-store.js';
import { Crosswalk } from '../../src/state/crosswalk.js';
import { DeadLetterIndex } from '../../src/state/dead-letter-index.js';
import { Ledger } from '../../src/state/ledger.js';
import { Locks } from '../../src/state/lock.js';
import { hubspotReadFields, salesforceReadFields } from '../../src/sync/read-fields.js';
import { FakeConnector, newReadTracker, type ReadTracker } from './fake-connector.js';
import type { RedisScope } from './redis.js';

export interface TestPipeline {
  ctx: SyncContext;
  hubspot: FakeConnector;
  salesforce: FakeConnector;
  /** Reads in flight across both fakes. */
  reads: ReadTracker;
  /** State connection (queues, crosswalk, base, ledger, locks). */
  redis: Redis;
  /** Connection given to workers (BullMQ duplicates it for blocking calls). */
  workerConnection: Redis;
}

export function buildPipeline(scope: RedisScope, mapping: MappingConfig): TestPipeline {
  const redis = scope.connect('lockstep-test-state');
  const workerConnection = scope.connect('lockstep-test-workers');
  const reads = newReadTracker();
  const hubspot = new FakeConnector('hubspot', reads);
  const salesforce = new FakeConnector('salesforce', reads);
  const queues = scope.track(createQueues(redis, scope.prefix));
  const ctx: SyncContext = {
    mapping,
    connectors: { hubspot, salesforce },
    readers: {
      hubspot: new RecordReader(hubspot, () => hubspotReadFields(mapping), 100),
      salesforce: new RecordReader(
        salesforce,
        (object) => salesforceReadFields(mapping, object as SalesforceObject),
        200,
      ),
    },
    crosswalk: new Crosswalk(redis, scope.keys),
    bases: new BaseStore(redis, scope.keys),
    ledger: new Ledger(redis, scope.keys),
    deadLetters: new DeadLetterIndex(redis, scope.keys),
    locks: new Locks(redis, scope.keys),
    queues,
    logger: pino({ level: 'silent' }),
  };
  return { ctx, hubspot, salesforce, reads, redis, workerConnection };
}

/** Jobs not yet finished: waiting, active, delayed or prioritised. */
export async function unfinishedCount(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** A batch writer on the test pipeline's worker connection, closed with the scope. */
export function startTestWriter(
  scope: RedisScope,
  pipeline: TestPipeline,
  {
    system = 'salesforce',
    ctx = pipeline.ctx,
    batchSize = 200,
    maxWaitMs = 20,
  }: { system?: 'hubspot' | 'salesforce'; ctx?: SyncContext; batchSize?: number; maxWaitMs?: number } = {},
): Worker<WriteJob> {
  return scope.track(
    startWriter(ctx, {
      system,
      connection: pipeline.workerConnection,
      prefix: scope.prefix,
      batchSize,
      maxWaitMs,
    }),
  );
}
