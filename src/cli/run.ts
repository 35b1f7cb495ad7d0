import { readConfig, requireConnectorSettings } from '../config/env.js';
import { createDaemon } from '../daemon/daemon.js';
import { buildHttpServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { loadMappings } from '../mapping/load.js';
import { assertRedisReachable, redisDurabilityWarnings } from '../state/redis.js';

export async function runCommand(): Promise<void> {
  const config = readConfig();
  requireConnectorSettings(config, 'lockstep run');
  const logger = createLogger(config.env.LOG_LEVEL);
  const mapping = await loadMappings(config.env.LOCKSTEP_MAPPINGS_DIR);
  await assertRedisReachable(config.env.REDIS_URL);
  const daemon = createDaemon({ config, mapping, logger });
  const http = buildHttpServer({
    redis: daemon.redis,
    queues: daemon.context.queues,
    isRunning: daemon.isRunning,
    credentialProblems: () => daemon.context.health?.problems() ?? [],
    dailyUsage: daemon.dailyUsage,
  });
  try {
    for (const warning of await redisDurabilityWarnings(daemon.redis)) logger.warn(warning);
    // Listen first: a taken port must stop the command, not leave a daemon running without its probes.
    await http.listen({ port: config.env.PORT, host: '0.0.0.0' });
    daemon.start();
    logger.info({ port: config.env.PORT, prefix: config.env.LOCKSTEP_REDIS_PREFIX }, 'lockstep running');
    await waitForSignal();
    logger.info('shutting down: finishing in-flight jobs');
  } finally {
    await http.close();
    await daemon.stop();
  }
  logger.info('stopped');
}

/** Resolves on SIGTERM or SIGINT; in-flight jobs then finish (BullMQ close waits for them). */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve(signal);
    };
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
}
