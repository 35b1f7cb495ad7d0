import { missingCredentials, readConfig } from '../config/env.js';
import { createDaemon } from '../daemon/daemon.js';
import { buildHttpServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { loadMappings } from '../mapping/load.js';
import { redisDurabilityWarnings } from '../state/redis.js';
import { UsageError } from './usage-error.js';

export async function runCommand(): Promise<void> {
  const config = readConfig();
  const missing = missingCredentials(config);
  if (missing.length > 0)
    throw new UsageError(
      `lockstep run needs:\n  ${missing.join('\n  ')}\n(or try \`lockstep sandbox\`, which needs no accounts)`,
    );
  const logger = createLogger(config.env.LOG_LEVEL);
  const mapping = await loadMappings(config.env.LOCKSTEP_MAPPINGS_DIR);
  const daemon = createDaemon({ config, mapping, logger });
  for (const warning of await redisDurabilityWarnings(daemon.redis)) logger.warn(warning);
  daemon.start();
  const http = buildHttpServer({
    redis: daemon.redis,
    queues: daemon.context.queues,
    isRunning: daemon.isRunning,
  });
  await http.listen({ port: config.env.PORT, host: '0.0.0.0' });
  logger.info({ port: config.env.PORT, prefix: config.env.LOCKSTEP_REDIS_PREFIX }, 'lockstep running');
  await waitForSignal();
  logger.info('shutting down: finishing in-flight jobs');
  await http.close();
  await daemon.stop();
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
