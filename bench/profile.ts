/** Optional CPU profile of one phase, through the inspector (no extra flags on the node command line). */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

export interface PhaseProfiler {
  stop(): Promise<void>;
}

export async function startProfile(file: string): Promise<PhaseProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
