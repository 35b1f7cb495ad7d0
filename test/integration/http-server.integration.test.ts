/** The daemon's probes: /healthz, /readyz (Redis, workers, credentials) and /metrics, on the real Redis. */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/server.js';
import { SyncHealth } from '../../src/pipeline/health.js';
import { createQueues, type LockstepQueues } from '../../src/pipeline/queues.js';
import { RedisScope } from '../helpers/redis.js';

let scope: RedisScope;
let queues: LockstepQueues;

beforeEach(() => {
  scope = new RedisScope();
  queues = scope.track(createQueues(scope.connect(), scope.prefix));
});

afterEach(async () => {
  await scope.cleanup();
});

describe('HTTP probes', () => {
  it('is ready while Redis answers, the workers run and no vendor refused the credentials', async () => {
    const health = new SyncHealth();
    let running = true;
    const app = buildHttpServer({
      redis: scope.connect('probe'),
      queues,
      isRunning: () => running,
      credentialProblems: () => health.problems(),
      dailyUsage: () => [{ system: 'salesforce', used: 18, limit: 5000 }],
    });
    try {
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/readyz' })).json()).toMatchObject({ ready: true, redis: true });

      health.credentialsRejected('salesforce', 'INVALID_SESSION_ID: Session expired or invalid');
      const refused = await app.inject({ url: '/readyz' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().credentialsRejected).toEqual([
        expect.objectContaining({
          system: 'salesforce',
          message: 'INVALID_SESSION_ID: Session expired or invalid',
        }),
      ]);
      health.credentialsAccepted('salesforce');
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);

      running = false;
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);

      const metrics = await app.inject({ url: '/metrics' });
      expect(metrics.body).toContain('lockstep_queue_jobs{queue="changes",state="waiting"} 0');
      expect(metrics.body).toContain('lockstep_api_daily_used{system="salesforce"} 18');
      expect(metrics.body).toContain('lockstep_api_daily_limit{system="salesforce"} 5000');
    } finally {
      await app.close();
    }
  });

  it('answers 503 within about a second when Redis does not answer, instead of hanging', async () => {
    // Nothing listens on port 1: the connection keeps retrying and queues the PING.
    const gone = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, lazyConnect: true });
    gone.on('error', () => {});
    const app = buildHttpServer({ redis: gone, queues, isRunning: () => true });
    try {
      const started = Date.now();
      const reply = await app.inject({ url: '/readyz' });
      expect(reply.statusCode).toBe(503);
      expect(reply.json()).toMatchObject({ ready: false, redis: false });
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await app.close();
      gone.disconnect();
    }
  });
});
