/**
 * `lockstep sandbox`: simulated Salesforce and HubSpot on loopback, demo people, the real daemon
 * pointed at them through the usual env vars, and a plain-words narration of every sync.
 */
import { readConfig } from '../config/env.js';
import { createDaemon } from '../daemon/daemon.js';
import { createLogger } from '../log.js';
import { loadMappings } from '../mapping/load.js';
import { listDeadLetters } from '../pipeline/dead-letters.js';
import { startSimulators } from '../sandbox/environment.js';
import { waitForIdle } from '../sandbox/idle.js';
import { ensureRedis } from '../sandbox/local-redis.js';
import { seedPeople } from '../sandbox/seed.js';
import { playStory } from '../sandbox/story.js';
import { connectRedis, removeKeyspace } from '../state/redis.js';
import { waitForSignal } from './run.js';
import { UsageError } from './usage-error.js';

export async function sandboxCommand(opts: { people: string; duration?: string }): Promise<void> {
  const people = Number(opts.people);
  if (!Number.isInteger(people) || people < 6 || people > 5000)
    throw new UsageError('--people must be a whole number from 6 to 5000');
  const duration = opts.duration === undefined ? undefined : Number(opts.duration) * 1000;
  if (duration !== undefined && !(Number.isFinite(duration) && duration > 0))
    throw new UsageError('--duration must be a number of seconds greater than 0');
  const base = readConfig();
  const redis = await ensureRedis(base.env.REDIS_URL);
  // The simulated org never rolls its usage over: a big allowance keeps a sandbox left running for
  // days clear of the daily reserve (10% by default).
  const sims = await startSimulators({ salesforce: { dailyApiLimit: 10_000_000 } });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const config = readConfig({
    ...process.env,
    ...sims.env,
    REDIS_URL: redis.url,
    // A fresh keyspace per run: the demo always starts from nothing and never touches other data.
    LOCKSTEP_REDIS_PREFIX: `lockstep-sandbox-${Date.now().toString(36)}`,
    // Set to nothing counts as unset here too (as in readConfig): the sandbox's own defaults apply.
    LOCKSTEP_POLL_INTERVAL_MS: process.env.LOCKSTEP_POLL_INTERVAL_MS || '1000',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
  });
  const mapping = await loadMappings(config.env.LOCKSTEP_MAPPINGS_DIR);
  const daemon = createDaemon({
    config,
    mapping,
    // The story goes to stdout; structured log lines to stderr, so they never break into it.
    logger: createLogger(config.env.LOG_LEVEL, process.stderr),
    narrate: (s) => say(`  ${s}`),
  });
  const settleMs = config.env.LOCKSTEP_POLL_INTERVAL_MS * 2 + 500;

  say(
    `Lockstep sandbox\n  Salesforce simulator ${sims.env.SALESFORCE_LOGIN_URL}\n  HubSpot simulator    ${sims.env.HUBSPOT_BASE_URL}\n  Redis ${redis.url} (prefix ${config.env.LOCKSTEP_REDIS_PREFIX})`,
  );
  const seeded = seedPeople(sims.hubspot, sims.salesforce, people);
  say(
    `\nSeeded ${people} people: ${seeded.both.length} in both systems, ${seeded.hubspotOnly.length} only in HubSpot, ${seeded.salesforceOnly.length} only in Salesforce.\nFirst sync:`,
  );
  daemon.start();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await daemon.stop();
    await sims.stop();
    // The demo's keyspace is its own: leave the Redis as it was found.
    const cleanup = connectRedis(redis.url, 'lockstep-sandbox-cleanup');
    try {
      await removeKeyspace(cleanup, config.env.LOCKSTEP_REDIS_PREFIX);
    } finally {
      cleanup.disconnect();
    }
    await redis.stop();
  };
  // Ctrl-C during the story too: stop cleanly (and remove the keyspace), then leave.
  const interrupted = () => {
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await waitForIdle(daemon.context.queues, settleMs, 180_000);
    await playStory({
      hubspot: sims.hubspot,
      salesforce: sims.salesforce,
      queues: daemon.context.queues,
      people: seeded,
      settleMs,
      say,
    });

    sims.hubspot.resetCalls();
    sims.salesforce.resetCalls();
    await new Promise((r) => setTimeout(r, settleMs * 2));
    await waitForIdle(daemon.context.queues, settleMs);
    const echoWrites = sims.hubspot.calls().writes + sims.salesforce.calls().writes;
    const dead = await listDeadLetters(daemon.context.queues);
    say(`\nAll quiet. Writes since the last change: ${echoWrites} (no echo between the systems).`);
    say(
      `Linked people: ${await daemon.context.crosswalk.size()}; ledger entries: ${await daemon.context.ledger.length()}; dead letters: ${dead.length}.`,
    );
    for (const letter of dead) say(`  ${letter.id}: ${letter.reason}`);
    say(
      duration
        ? `\nThe daemon keeps running for ${duration / 1000} s (--duration), then stops: Ctrl-C to stop sooner.`
        : '\nThe daemon keeps running: Ctrl-C to stop.',
    );
    if (duration) {
      // Ctrl-C before the time is up still goes through `interrupted`.
      await new Promise((r) => setTimeout(r, duration));
    } else {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      await waitForSignal();
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await stop();
  }
}
