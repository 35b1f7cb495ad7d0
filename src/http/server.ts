/**
 * The daemon's HTTP face: liveness, readiness (Redis answers and workers run) and Prometheus metrics.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { withDeadline } from '../deadline.js';
import type { LockstepQueues } from '../pipeline/queues.js';

export interface HttpDeps {
  redis: Redis;
  queues: LockstepQueues;
  isRunning: () => boolean;
  /** Vendors whose credentials were rejected (work for them is paused). */
  credentialProblems?: () => Array<{ system: string; at: string; message: string }>;
  /** The daily API figures each vendor reported last. */
  dailyUsage?: () => Array<{ system: string; used: number; limit: number }>;
}

const READY_PING_TIMEOUT_MS = 1_000;

export function buildHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lockstep_' });
  new Gauge({
    name: 'lockstep_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of deps.queues.all()) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
      }
    },
  });

  new Gauge({
    name: 'lockstep_api_daily_used',
    help: 'Calls of the daily API allowance used, as the vendor last reported (Salesforce: org-wide, rolling 24 h)',
    labelNames: ['system'],
    registers: [registry],
    collect() {
      for (const { system, used } of deps.dailyUsage?.() ?? []) this.set({ system }, used);
    },
  });
  new Gauge({
    name: 'lockstep_api_daily_limit',
    help: 'The daily API allowance, as the vendor last reported',
    labelNames: ['system'],
    registers: [registry],
    collect() {
      for (const { system, limit } of deps.dailyUsage?.() ?? []) this.set({ system }, limit);
    },
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    // Commands wait in the offline queue while Redis is away: answer "not ready" instead of hanging.
    const redisOk = await withDeadline(
      deps.redis.ping(),
      READY_PING_TIMEOUT_MS,
      () => new Error('no answer'),
    ).then(
      (answer) => answer === 'PONG',
      () => false,
    );
    const credentials = deps.credentialProblems?.() ?? [];
    const ready = redisOk && deps.isRunning() && credentials.length === 0;
    return reply
      .code(ready ? 200 : 503)
      .send({ ready, redis: redisOk, workers: deps.isRunning(), credentialsRejected: credentials });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
  return app;
}
