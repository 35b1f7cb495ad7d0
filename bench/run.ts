/**
 * `npm run bench`: N synthetic lifecycle-stage changes through the sandbox — the real daemon, both CRM
 * simulators over loopback HTTP and the real Redis under a throw-away LOCKSTEP_REDIS_PREFIX — and the
 * figures it took. It prints measurements next to the targets; it passes or fails nothing.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { readConfig } from '../src/config/env.js';
import { createQueues, type LockstepQueues } from '../src/pipeline/queues.js';
import { type SimulatorEnvironment, startSimulators } from '../src/sandbox/environment.js';
import { Crosswalk } from '../src/state/crosswalk.js';
import { keyspace } from '../src/state/keyspace.js';
import { connectRedis } from '../src/state/redis.js';
import { type DaemonRequest, DaemonThread } from './daemon-host.js';
import {
  deleteKeys,
  keyKinds,
  mb,
  ms,
  perChange,
  percentile,
  RssSampler,
  redisCpuMs,
  scanKeys,
  systemCalls,
  table,
} from './measure.js';
import { BenchHelpRequested, BenchUsageError, parseOptions } from './options.js';
import {
  applyBulkChanges,
  BenchTimeoutError,
  EXPECTED,
  seedLinkedPeople,
  waitQuiet,
  waitUntil,
  watchPropagation,
} from './scenario.js';

const TARGETS = { changesPerSecond: 1000, writeCallsPerChange: 0.05, echoWrites: 0 };

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (delay: number) => new Promise((r) => setTimeout(r, delay));

async function bounded<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      say(`  (${what} did not finish within ${limitMs} ms; moving on)`);
      resolve(undefined);
    }, limitMs);
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const n = opts.people;
  const deadline = Date.now() + opts.timeoutMs;
  const rss = new RssSampler();
  rss.start(100);
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const prefix = `lockstep-bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const mode = opts.realisticLimits ? 'realistic-limits' : 'no-limits';
  const figures: Record<string, unknown> = { people: n, mode, daemons: opts.daemons, completed: false };

  let sims: SimulatorEnvironment | undefined;
  let daemons: DaemonThread[] = [];
  let queues: LockstepQueues | undefined;
  const admin = connectRedis(redisUrl, 'lockstep-bench');
  try {
    await admin.ping();
    sims = await startSimulators({
      hubspot: opts.realisticLimits ? {} : { rateLimits: false },
      // The daemon polls Lead and Contact 5 times a second each: keep it clear of the simulated daily budget.
      salesforce: { dailyApiLimit: 10_000_000 },
    });
    const daemonEnv = withoutBlanks({
      ...process.env,
      ...sims.env,
      REDIS_URL: redisUrl,
      LOCKSTEP_REDIS_PREFIX: prefix,
      LOCKSTEP_POLL_INTERVAL_MS: String(opts.pollIntervalMs),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(opts.realisticLimits
        ? {}
        : { LOCKSTEP_HUBSPOT_REQUESTS_PER_10S: '100000', LOCKSTEP_HUBSPOT_SEARCHES_PER_SECOND: '1000' }),
    });
    const config = readConfig(daemonEnv);
    const env = config.env;
    // The daemon runs on its own thread, as it would in its own process (see daemon-thread.ts); the
    // bench watches its queues and crosswalk through Redis.
    daemons = await Promise.all(Array.from({ length: opts.daemons }, () => DaemonThread.spawn(daemonEnv)));
    const [daemon] = daemons as [DaemonThread];
    const everyDaemon = (request: DaemonRequest) => Promise.all(daemons.map((d) => d.request(request)));
    queues = createQueues(admin, prefix);
    const crosswalk = new Crosswalk(admin, keyspace(prefix));
    const settleMs = env.LOCKSTEP_POLL_INTERVAL_MS * 2 + 500;
    const hubspotLimits = opts.realisticLimits
      ? 'simulator 190 req / 10 s, 5 searches / s'
      : 'simulator limits off';
    figures.logLevel = env.LOG_LEVEL;
    figures.settings = {
      pollIntervalMs: env.LOCKSTEP_POLL_INTERVAL_MS,
      syncConcurrency: env.LOCKSTEP_SYNC_CONCURRENCY,
      hubspotRequestsPer10s: env.LOCKSTEP_HUBSPOT_REQUESTS_PER_10S,
      hubspotSearchesPerSecond: env.LOCKSTEP_HUBSPOT_SEARCHES_PER_SECOND,
      sampleEveryMs: opts.sampleEveryMs,
    };
    say(`Lockstep benchmark: ${n} people, mode ${mode}, ${opts.daemons} daemon instance(s)`);
    say(
      `  HubSpot: ${hubspotLimits}; daemon budget ${env.LOCKSTEP_HUBSPOT_REQUESTS_PER_10S} req / 10 s, ${env.LOCKSTEP_HUBSPOT_SEARCHES_PER_SECOND} searches / s`,
    );
    say(
      `  poll every ${env.LOCKSTEP_POLL_INTERVAL_MS} ms, sync concurrency ${env.LOCKSTEP_SYNC_CONCURRENCY}, Redis ${redisUrl} prefix ${prefix}, give up after ${opts.timeoutMs / 1000} s`,
    );

    // ---- setup: seed, then the initial link sync ----
    const seedStart = performance.now();
    const people = seedLinkedPeople(sims.hubspot, sims.salesforce, n);
    say(`\nSeeded ${n} people on both sides in ${ms(performance.now() - seedStart)} ms. Initial sync…`);
    const syncStart = performance.now();
    await everyDaemon({ type: 'start' });
    await waitUntil(
      async () => (await crosswalk.size()) >= n,
      50,
      deadline,
      `initial sync: only some of ${n} people were linked`,
    );
    const simsNow = sims;
    const callsNow = () => ({
      hubspot: systemCalls(simsNow.hubspot.calls()),
      salesforce: systemCalls(simsNow.salesforce.calls()),
    });
    const initial = await waitQuiet(queues, settleMs, deadline, 'initial sync', callsNow);
    const initialMs = initial.quietSince - syncStart;
    figures.initialSync = {
      durationMs: ms(initialMs),
      peoplePerSecond: Math.round(n / (initialMs / 1000)),
      linked: await crosswalk.size(),
      calls: initial.snapshot,
    };
    say(
      `  linked ${n} people in ${ms(initialMs)} ms; calls HubSpot ${initial.snapshot.hubspot.reads} reads / ${initial.snapshot.hubspot.writes} writes, Salesforce ${initial.snapshot.salesforce.reads} reads / ${initial.snapshot.salesforce.writes} writes`,
    );
    sims.hubspot.resetCalls();
    sims.salesforce.resetCalls();

    // ---- bulk phase: every person's stage changes at once, half on each side ----
    say(
      `\nBulk phase: ${Math.ceil(n / 2)} changes in HubSpot, ${Math.floor(n / 2)} in Salesforce, all at once…`,
    );
    if (opts.cpuProfile) await daemon.request({ type: 'profile-start', file: opts.cpuProfile });
    await everyDaemon({ type: 'mark-load' });
    const redisCpuBefore = await redisCpuMs(admin);
    const cpuBefore = process.cpuUsage();
    const changes = applyBulkChanges(sims.hubspot, sims.salesforce, people);
    const firstChange = Math.min(...changes.map((c) => c.at));
    const lastChange = Math.max(...changes.map((c) => c.at));
    let watch: Awaited<ReturnType<typeof watchPropagation>>;
    try {
      watch = await watchPropagation(sims.hubspot, sims.salesforce, changes, opts.sampleEveryMs, deadline);
    } finally {
      const seen = changes.filter((c) => c.seenAt !== undefined).length;
      figures.propagated = seen;
    }
    const lastSeen = Math.max(...changes.map((c) => c.seenAt!));
    const cpu = process.cpuUsage(cpuBefore);
    const loads = await everyDaemon({ type: 'load' });
    const redisCpu = (await redisCpuMs(admin)) - redisCpuBefore;
    const bulk = await waitQuiet(queues, settleMs, deadline, 'bulk phase', callsNow);
    if (opts.cpuProfile) {
      await daemon.request({ type: 'profile-stop' });
      say(`  CPU profile of the bulk phase written to ${opts.cpuProfile}`);
    }
    const delays = changes.map((c) => c.seenAt! - c.at).sort((a, b) => a - b);
    const delaysBy = (origin: string) =>
      changes
        .filter((c) => c.origin === origin)
        .map((c) => c.seenAt! - c.at)
        .sort((a, b) => a - b);
    const endToEndS = (lastSeen - firstChange) / 1000;
    const { hubspot: hsCalls, salesforce: sfCalls } = bulk.snapshot;
    const writeCalls = hsCalls.writes + sfCalls.writes;
    const dist = (values: number[]) => ({
      p50: ms(percentile(values, 50)),
      p95: ms(percentile(values, 95)),
      max: ms(values.at(-1) ?? Number.NaN),
    });
    Object.assign(figures, {
      changesPerSecond: Math.round(n / endToEndS),
      endToEndMs: ms(endToEndS * 1000),
      applyChangesMs: ms(lastChange - firstChange),
      idleAfterMs: ms(bulk.quietSince - firstChange),
      propagationMs: {
        ...dist(delays),
        hubspotToSalesforce: dist(delaysBy('hubspot')),
        salesforceToHubSpot: dist(delaysBy('salesforce')),
      },
      // CPU used from the first change to the last propagation, as % of one core: the daemon (its own
      // thread), both simulators and the bench share this process; Redis is another process (and may
      // serve others). The daemon thread's event-loop utilisation says how close to saturation it ran.
      daemonEventLoopUtilization: loads.map((load) =>
        load.type === 'load' ? Number(load.eventLoopUtilization.toFixed(2)) : null,
      ),
      // The daemon's busy event-loop time per change: the cost figure that does not depend on how the
      // bulk phase happened to line up with poll ticks and batch windows.
      daemonBusyMsPerChange: Number(
        (loads.reduce((sum, load) => sum + (load.type === 'load' ? load.activeMs : 0), 0) / n).toFixed(3),
      ),
      daemonCpuMsPerChange: loads.every((load) => load.type === 'load' && load.cpuMs !== undefined)
        ? Number(
            (
              loads.reduce((sum, load) => sum + (load.type === 'load' ? (load.cpuMs ?? 0) : 0), 0) / n
            ).toFixed(3),
          )
        : null,
      cpuPercent: {
        process: Math.round(((cpu.user + cpu.system) / 1000 / (lastSeen - firstChange)) * 100),
        redisServer: Math.round((redisCpu / (lastSeen - firstChange)) * 100),
        loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
        cores: availableParallelism(),
      },
      sampler: {
        samples: watch.samples,
        scans: watch.scans,
        meanGapMs: ms(watch.meanGapMs),
        busyMs: ms(watch.busyMs),
      },
      callsPerChange: { hubspot: perChange(hsCalls, n), salesforce: perChange(sfCalls, n) },
      calls: { hubspot: hsCalls, salesforce: sfCalls },
      writeCallsPerChange: Number((writeCalls / n).toFixed(5)),
      deadLetters: (await Promise.all(queues.all().map((q) => q.getFailedCount()))).reduce(
        (a, b) => a + b,
        0,
      ),
    });

    // Everyone should end on the same stage on both sides (the Salesforce-side change is SQL).
    const notConverged = changes.filter((c) => {
      const hs = sims?.hubspot.getContact(c.person.hubspotId)?.properties.lifecyclestage;
      const sf = sims?.salesforce.get('Lead', c.person.leadId)?.Lifecycle_Stage__c;
      return c.origin === 'hubspot'
        ? hs !== 'marketingqualifiedlead' || sf !== EXPECTED.inSalesforce
        : hs !== EXPECTED.inHubSpot || sf !== 'SQL';
    }).length;
    figures.notConverged = notConverged;

    // ---- echo check: once idle, nothing more may be written ----
    sims.hubspot.resetCalls();
    sims.salesforce.resetCalls();
    await sleep(env.LOCKSTEP_POLL_INTERVAL_MS * 3);
    const echo = await waitQuiet(queues, settleMs, deadline, 'echo check', callsNow);
    const echoCalls = callsNow();
    figures.echoWrites = echoCalls.hubspot.writes + echoCalls.salesforce.writes;
    figures.idleReadsPerSecond = ms(
      (echoCalls.hubspot.reads + echoCalls.salesforce.reads) /
        ((performance.now() - echo.quietSince + env.LOCKSTEP_POLL_INTERVAL_MS * 3) / 1000),
    );
    figures.completed = true;
    return 0;
  } catch (error) {
    if (!(error instanceof BenchTimeoutError)) throw error;
    figures.gaveUp = `gave up after ${opts.timeoutMs / 1000} s: ${error.message}`;
    say(`\nGAVE UP after ${opts.timeoutMs / 1000} s: ${error.message}. Figures below are partial.`);
    return 0;
  } finally {
    // ---- shutdown and cleanup, each step bounded ----
    if (daemons.length > 0) {
      const stopped = await bounded(
        Promise.all(daemons.map((d) => d.request({ type: 'stop' }))),
        30_000,
        'daemon stop',
      );
      const replies = (stopped ?? []).flatMap((reply) => (reply.type === 'stopped' ? [reply] : []));
      figures.daemonLogLines = replies.reduce((sum, reply) => sum + reply.logLines, 0);
      figures.daemonLogs = replies.flatMap((reply) => reply.logs);
      await Promise.all(daemons.map((d) => d.terminate()));
    }
    await queues?.close();
    rss.stop();
    figures.peakRssMb = mb(rss.peak);
    try {
      const keys = await scanKeys(admin, prefix);
      figures.redisKeysBeforeCleanup = keys.length;
      figures.redisKeyKinds = keyKinds(keys, prefix);
      await deleteKeys(admin, keys);
      figures.redisKeysAfterCleanup = (await scanKeys(admin, prefix)).length;
    } catch (error) {
      say(`  Redis cleanup failed: ${(error as Error).message}`);
    }
    if (sims) await bounded(sims.stop(), 10_000, 'simulator stop');
    await admin.quit().catch(() => undefined);
    report(figures);
  }
}

function report(f: Record<string, unknown>): void {
  const num = (path: string): number | undefined => {
    let value: unknown = f;
    for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return typeof value === 'number' ? value : undefined;
  };
  const show = (path: string, unit = '') => {
    const value = num(path);
    return value === undefined ? '—' : `${value.toLocaleString('en-US')}${unit}`;
  };
  const rows: Array<[string, string, string?]> = [
    ['mode', String(f.mode)],
    ['daemon instances (threads)', String(f.daemons)],
    ['people / changes', show('people')],
    [
      'initial sync',
      `${show('initialSync.durationMs', ' ms')} (${show('initialSync.peoplePerSecond', ' people/s')})`,
    ],
    [
      'initial sync calls HubSpot r/w',
      `${show('initialSync.calls.hubspot.reads')} / ${show('initialSync.calls.hubspot.writes')}`,
    ],
    [
      'initial sync calls Salesforce r/w',
      `${show('initialSync.calls.salesforce.reads')} / ${show('initialSync.calls.salesforce.writes')}`,
    ],
    [
      'changes/s end to end',
      show('changesPerSecond'),
      `≥ ${TARGETS.changesPerSecond.toLocaleString('en-US')}`,
    ],
    ['first change → last propagation', show('endToEndMs', ' ms')],
    ['first change → pipeline idle', show('idleAfterMs', ' ms')],
    ['propagation p50', show('propagationMs.p50', ' ms')],
    ['propagation p95', show('propagationMs.p95', ' ms')],
    ['propagation max', show('propagationMs.max', ' ms')],
    [
      '  HubSpot → Salesforce p50 / max',
      `${show('propagationMs.hubspotToSalesforce.p50')} / ${show('propagationMs.hubspotToSalesforce.max', ' ms')}`,
    ],
    [
      '  Salesforce → HubSpot p50 / max',
      `${show('propagationMs.salesforceToHubSpot.p50')} / ${show('propagationMs.salesforceToHubSpot.max', ' ms')}`,
    ],
    [
      'HubSpot calls/change r / w / all',
      `${show('callsPerChange.hubspot.reads')} / ${show('callsPerChange.hubspot.writes')} / ${show('callsPerChange.hubspot.total')}`,
    ],
    [
      'Salesforce calls/change r / w / all',
      `${show('callsPerChange.salesforce.reads')} / ${show('callsPerChange.salesforce.writes')} / ${show('callsPerChange.salesforce.total')}`,
    ],
    ['write calls per change (both)', show('writeCallsPerChange'), `≤ ${TARGETS.writeCallsPerChange}`],
    ['echo writes after idle', show('echoWrites'), String(TARGETS.echoWrites)],
    ['people not converged', show('notConverged')],
    ['dead letters', show('deadLetters')],
    [
      'daemon event-loop utilisation',
      Array.isArray(f.daemonEventLoopUtilization) ? f.daemonEventLoopUtilization.join(' / ') : '—',
    ],
    [
      'daemon busy / CPU time per change',
      `${show('daemonBusyMsPerChange', ' ms')} / ${show('daemonCpuMsPerChange', ' ms')}`,
    ],
    [
      'CPU % of a core: process / Redis',
      `${show('cpuPercent.process', '%')} / ${show('cpuPercent.redisServer', '%')} (load ${show('cpuPercent.loadAverage1m')}, ${show('cpuPercent.cores')} cores)`,
    ],
    ['peak RSS (whole process)', show('peakRssMb', ' MB')],
    ['Redis keys left before cleanup', show('redisKeysBeforeCleanup')],
    ['Redis keys after cleanup', show('redisKeysAfterCleanup')],
    [
      'sampler gap / store scans / busy',
      `${show('sampler.meanGapMs', ' ms')} / ${show('sampler.scans')} / ${show('sampler.busyMs', ' ms')}`,
    ],
  ];
  say(`\n${f.completed ? 'Results' : 'Partial results'}\n${table(rows)}`);
  const logs = Array.isArray(f.daemonLogs) ? (f.daemonLogs as Array<{ count: number; message: string }>) : [];
  if (logs.length > 0) {
    say(`  daemon log lines at ${String(f.logLevel)} or above: ${String(f.daemonLogLines)}`);
    for (const { count, message } of logs) say(`    ${count}× ${message}`);
  }
  say(JSON.stringify({ bench: 'lockstep', at: new Date().toISOString(), targets: TARGETS, ...f }));
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything a library leaves open (keep-alive sockets) must not keep the bench alive.
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (error: unknown) => {
    if (error instanceof BenchHelpRequested) {
      process.stdout.write(`${error.message}\n`);
      process.exit(0);
    }
    if (error instanceof BenchUsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

/** The environment handed to the daemon thread: only variables that have a value. */
function withoutBlanks(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
