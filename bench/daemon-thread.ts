/**
 * The daemon under benchmark, on a thread of its own. In production `lockstep run` has its process to
 * itself and the CRM APIs are other machines; here the simulators and the bench's watching run on the
 * main thread, so they must not share (and slow) the daemon's event loop. Both threads still share the
 * machine's cores, the process's memory and its CPU figures. Driven by messages from `daemon-host.ts`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { readConfig } from '../src/config/env.js';
import { createDaemon, type Daemon } from '../src/daemon/daemon.js';
import { createLogger } from '../src/log.js';
import { loadMappings } from '../src/mapping/load.js';
import type { DaemonReply, DaemonRequest } from './daemon-host.js';
import { LogTally } from './measure.js';
import { startProfile } from './profile.js';

const port = parentPort!;
const { env } = workerData as { env: Record<string, string> };

const config = readConfig(env);
const mapping = await loadMappings(config.env.LOCKSTEP_MAPPINGS_DIR);
const logs = new LogTally();
const daemon: Daemon = createDaemon({ config, mapping, logger: createLogger(config.env.LOG_LEVEL, logs) });
let profiler: Awaited<ReturnType<typeof startProfile>> | undefined;
let eluMark = performance.eventLoopUtilization();
let cpuMark = threadCpuMs();

/**
 * CPU time this thread ran, from Linux's per-thread scheduler stats (ns on CPU): unlike event-loop
 * utilisation it does not count time the thread waited for a core the simulators or Redis held.
 * Undefined where /proc/thread-self is missing.
 */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

async function handle(request: DaemonRequest): Promise<DaemonReply> {
  switch (request.type) {
    case 'start':
      daemon.start();
      return { type: 'ok' };
    case 'mark-load':
      eluMark = performance.eventLoopUtilization();
      cpuMark = threadCpuMs();
      return { type: 'ok' };
    case 'load': {
      const elu = performance.eventLoopUtilization(eluMark);
      const cpu = threadCpuMs();
      return {
        type: 'load',
        eventLoopUtilization: elu.utilization,
        activeMs: elu.active,
        ...(cpu !== undefined && cpuMark !== undefined ? { cpuMs: cpu - cpuMark } : {}),
      };
    }
    case 'profile-start':
      profiler = await startProfile(request.file);
      return { type: 'ok' };
    case 'profile-stop':
      await profiler?.stop();
      profiler = undefined;
      return { type: 'ok' };
    case 'stop':
      await daemon.stop();
      return { type: 'stopped', logLines: logs.lines, logs: logs.summary() };
  }
}

port.on('message', (message: { id: number; request: DaemonRequest }) => {
  handle(message.request).then(
    (reply) => port.postMessage({ id: message.id, reply }),
    (error: unknown) =>
      port.postMessage({
        id: message.id,
        reply: { type: 'error', message: String(error) } satisfies DaemonReply,
      }),
  );
});
port.postMessage({ id: 0, reply: { type: 'ok' } satisfies DaemonReply });
