/**
 * Starts both simulators and the real daemon pointed at them through env vars only, on the real Redis
 * under a unique prefix, and removes every key under that prefix afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { readConfig } from '../../src/config/env.js';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { loadMappings } from '../../src/mapping/load.js';
import { type SimulatorEnvironment, startSimulators } from '../../src/sandbox/environment.js';
import { waitForIdle } from '../../src/sandbox/idle.js';
import { removeKeyspace } from '../../src/state/redis.js';
import { defaultMappingsDir } from './mapping.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POLL_MS = 150;

export interface SandboxDaemon {
  sims: SimulatorEnvironment;
  daemon: Daemon;
  prefix: string;
  narration: string[];
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandboxDaemon(
  options: Pick<DaemonOptions, 'dailyReservePauseMs'> = {},
): Promise<SandboxDaemon> {
  const sims = await startSimulators({ hubspot: { rateLimits: false } });
  const prefix = `lockstep-e2e-${randomUUID()}`;
  const config = readConfig({
    ...sims.env,
    REDIS_URL,
    LOCKSTEP_REDIS_PREFIX: prefix,
    LOCKSTEP_POLL_INTERVAL_MS: String(POLL_MS),
    LOCKSTEP_MAPPINGS_DIR: defaultMappingsDir,
  });
  const mapping = await loadMappings(defaultMappingsDir);
  const narration: string[] = [];
  const daemon = createDaemon({
    config,
    mapping,
    logger: pino({ level: 'silent' }),
    narrate: (line) => narration.push(line),
    ...options,
  });
  daemon.start();
  return {
    sims,
    daemon,
    prefix,
    narration,
    settle: () => waitForIdle(daemon.context.queues, POLL_MS * 3, 30_000),
    async stop() {
      await daemon.stop();
      await sims.stop();
      await deleteKeys(prefix);
    },
  };
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await removeKeyspace(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
