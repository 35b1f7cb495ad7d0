/**
 * Integration and e2e tests need a real Redis. Use REDIS_URL (default 127.0.0.1:6379) when it answers;
 * otherwise start a private redis-server, as `lockstep sandbox` does, and hand its URL to the workers.
 */
import { ensureRedis, type LocalRedis } from '../src/sandbox/local-redis.js';

let redis: LocalRedis | undefined;

export async function setup(): Promise<void> {
  redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  process.env.REDIS_URL = redis.url;
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
