/**
 * Assembles the daemon from configuration: Redis state, connectors (from env only — the sandbox points
 * them at its simulators through the same variables), capture pollers, the sync worker and the writers.
 */
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createHubSpotConnector, HUBSPOT_LANE, HUBSPOT_SEARCH_LANE } from '../../connectors/hubspot/index.js';
import {
  createSalesforceConnector,
  SALESFORCE_BATCH_SIZE,
  SALESFORCE_LANE,
} from '../../connectors/salesforce/index.js';
import type { LockstepConfig } from '../config/env.js';
import type { MappingConfig, SalesforceObject } from '../mapping/compile.js';
import { Poller, type PollTarget } from '../pipeline/capture.js';
import { WINDOW_REREAD_MS } from '../pipeline/capture-memory.js';
import type { SyncContext } from '../pipeline/context.js';
import { echoFilter } from '../pipeline/echo-filter.js';
import { SyncHealth } from '../pipeline/health.js';
import { createQueues } from '../pipeline/queues.js';
import { RecordReader } from '../pipeline/record-reader.js';
import { startSyncWorker } from '../pipeline/sync-worker.js';
import { startWriter } from '../pipeline/write-worker.js';
import { BaseStore } from '../state/base-store.js';
import { Crosswalk } from '../state/crosswalk.js';
import { CursorStore } from '../state/cursor-store.js';
import { DeadLetterIndex } from '../state/dead-letter-index.js';
import { keyspace } from '../state/keyspace.js';
import { Ledger } from '../state/ledger.js';
import { Locks } from '../state/lock.js';
import { connectRedis, connectStateRedis } from '../state/redis.js';
import { RedisRequestGate } from '../state/request-gate.js';
import { hubspotReadFields, salesforceReadFields } from '../sync/read-fields.js';

export const HUBSPOT_BATCH_SIZE = 100;
/** Allowance for a vendor's clock running ahead of ours when deciding a stretch of its feed is final. */
const CLOCK_MARGIN_MS = 1_000;
/** The lowest well-formed Salesforce id: `Id > '…'` needs a valid id literal, never ''. */
const LOWEST_SALESFORCE_ID = '000000000000000AAA';
/**
 * How often the HubSpot index-lag window is read again: a late-indexed change waits at most this.
 * Each re-read pages through the whole window on the search API's small budget (4/s by default): at
 * 100 changes/s a 60 s window is 30 pages, so every 10 s would take most of that budget.
 */
const HUBSPOT_LAG_REREAD_MS = 30_000;
/**
 * How long a vendor's calls pause once its daily allowance is into the reserve. Salesforce's window is
 * a rolling 24 hours and HubSpot's resets at the portal's midnight, so the allowance frees slowly:
 * one call per pause to look again costs almost nothing of it.
 */
export const DAILY_RESERVE_PAUSE_MS = 15 * 60_000;

export interface DaemonOptions {
  config: LockstepConfig;
  mapping: MappingConfig;
  logger: Logger;
  narrate?: (sentence: string) => void;
  /** Run capture pollers (off for one-shot commands that only need the context). */
  capture?: boolean;
  /** How long calls pause once a daily allowance is into its reserve (default 15 minutes). */
  dailyReservePauseMs?: number;
}

export interface Daemon {
  context: SyncContext;
  redis: Redis;
  /** The daily API figures each vendor reported last (for /metrics). */
  dailyUsage(): Array<{ system: string; used: number; limit: number }>;
  start(): void;
  stop(): Promise<void>;
  isRunning(): boolean;
}

export function createDaemon(options: DaemonOptions): Daemon {
  const { config, mapping, logger } = options;
  const env = config.env;
  const prefix = env.LOCKSTEP_REDIS_PREFIX;
  const redis = connectRedis(env.REDIS_URL, 'lockstep-queues');
  const state = connectStateRedis(env.REDIS_URL);
  const workerConnection = connectRedis(env.REDIS_URL, 'lockstep-workers');
  // While Redis is away the connections retry and queue commands; say so once per attempt in the
  // structured log instead of letting ioredis print raw stack traces.
  for (const [name, connection] of [
    ['queues', redis],
    ['state', state],
    ['workers', workerConnection],
  ] as const)
    connection.on('error', (error: Error) =>
      logger.warn({ err: error, connection: name }, 'Redis connection error; retrying'),
    );
  const keys = keyspace(prefix);
  const reservePauseMs = options.dailyReservePauseMs ?? DAILY_RESERVE_PAUSE_MS;
  const gate = new RedisRequestGate(
    state,
    keys,
    {
      [HUBSPOT_LANE]: { requests: env.LOCKSTEP_HUBSPOT_REQUESTS_PER_10S, windowMs: 10_000 },
      [HUBSPOT_SEARCH_LANE]: { requests: env.LOCKSTEP_HUBSPOT_SEARCHES_PER_SECOND, windowMs: 1_000 },
    },
    {
      dailyReserves: {
        salesforce: {
          fraction: env.LOCKSTEP_SALESFORCE_DAILY_RESERVE_PERCENT / 100,
          lanes: [SALESFORCE_LANE],
          reportingLane: SALESFORCE_LANE,
          pauseMs: reservePauseMs,
        },
        hubspot: {
          fraction: env.LOCKSTEP_HUBSPOT_DAILY_RESERVE_PERCENT / 100,
          lanes: [HUBSPOT_LANE, HUBSPOT_SEARCH_LANE],
          reportingLane: HUBSPOT_LANE,
          pauseMs: reservePauseMs,
        },
      },
      onReservePause: ({ system, usage, fraction, pauseMs }) =>
        logger.warn(
          {
            system,
            dailyUsed: usage.used,
            dailyLimit: usage.limit,
            reservePercent: fraction * 100,
            pauseMs,
          },
          `${system === 'hubspot' ? 'HubSpot' : 'Salesforce'} daily API allowance is into the reserve Lockstep leaves to other integrations (${usage.used} of ${usage.limit} used): ${system} calls paused; changes wait, none are lost. Fix: raise the allowance, or lower ${system === 'hubspot' ? 'LOCKSTEP_HUBSPOT_DAILY_RESERVE_PERCENT' : 'LOCKSTEP_SALESFORCE_DAILY_RESERVE_PERCENT'}`,
        ),
    },
  );
  const hubspot = createHubSpotConnector(config.hubspot, { gate, logger });
  const salesforce = createSalesforceConnector(config.salesforce, { gate, logger });
  const salesforceFields = (object: string) => salesforceReadFields(mapping, object as SalesforceObject);
  const hubspotFields = () => hubspotReadFields(mapping);
  const queues = createQueues(redis, prefix);
  for (const queue of queues.all())
    queue.on('error', (error: Error) => logger.warn({ err: error, queue: queue.name }, 'queue error'));
  const context: SyncContext = {
    mapping,
    connectors: { hubspot, salesforce },
    readers: {
      hubspot: new RecordReader(hubspot, hubspotFields, HUBSPOT_BATCH_SIZE),
      salesforce: new RecordReader(salesforce, salesforceFields, SALESFORCE_BATCH_SIZE),
    },
    crosswalk: new Crosswalk(state, keys),
    bases: new BaseStore(state, keys),
    ledger: new Ledger(state, keys),
    deadLetters: new DeadLetterIndex(state, keys),
    locks: new Locks(state, keys),
    queues,
    logger,
    health: new SyncHealth(),
    ...(options.narrate ? { narrate: options.narrate } : {}),
  };
  const hubspotLagMs = env.LOCKSTEP_HUBSPOT_SEARCH_LAG_MS;
  const targets: PollTarget[] = [
    {
      connector: hubspot,
      object: mapping.hubspotObject,
      fields: hubspotFields(),
      pageSize: 200,
      ...(hubspotLagMs > 0
        ? {
            settle: {
              // The same clock allowance as for Salesforce: HubSpot stamps come from its clock.
              marginMs: hubspotLagMs + CLOCK_MARGIN_MS,
              precisionMs: 1,
              // HubSpot ids are positive integers, compared as numbers.
              lowestId: '0',
              rereadEveryMs: Math.min(HUBSPOT_LAG_REREAD_MS, hubspotLagMs),
            },
          }
        : {}),
    },
    ...mapping.salesforceObjects.map((object) => ({
      connector: salesforce,
      object,
      fields: salesforceFields(object),
      pageSize: 2000,
      settle: {
        marginMs: CLOCK_MARGIN_MS,
        precisionMs: 1_000,
        lowestId: LOWEST_SALESFORCE_ID,
        rereadEveryMs: WINDOW_REREAD_MS,
      },
    })),
  ];
  const poller = new Poller(
    targets,
    {
      queues,
      cursors: new CursorStore(state, keys),
      locks: context.locks,
      logger,
      needsSync: echoFilter(context),
      ...(context.health ? { health: context.health } : {}),
    },
    env.LOCKSTEP_POLL_INTERVAL_MS,
    (system, object, count) => logger.debug({ system, object, count }, 'changes captured'),
  );
  let workers: Worker[] = [];
  let running = false;

  return {
    context,
    redis,
    dailyUsage: () => gate.dailyUsage(),
    isRunning: () => running,
    start() {
      if (running) return;
      running = true;
      workers = [
        startSyncWorker(context, {
          connection: workerConnection,
          prefix,
          concurrency: env.LOCKSTEP_SYNC_CONCURRENCY,
        }),
        startWriter(context, {
          system: 'hubspot',
          connection: workerConnection,
          prefix,
          batchSize: HUBSPOT_BATCH_SIZE,
        }),
        startWriter(context, {
          system: 'salesforce',
          connection: workerConnection,
          prefix,
          batchSize: SALESFORCE_BATCH_SIZE,
        }),
      ];
      if (options.capture !== false) poller.start();
    },
    async stop() {
      // Stop capturing first, then let the workers finish their in-flight jobs (BullMQ close waits).
      await poller.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      workers = [];
      running = false;
      await queues.close();
      await salesforce.close();
      await Promise.allSettled([redis.quit(), state.quit(), workerConnection.quit()]);
    },
  };
}
