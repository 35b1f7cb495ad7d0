/** The bench's handle on the daemon running in `daemon-thread.ts`: request / reply over messages. */
import { Worker } from 'node:worker_threads';

export type DaemonRequest =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'mark-load' }
  | { type: 'load' }
  | { type: 'profile-start'; file: string }
  | { type: 'profile-stop' };

export type DaemonReply =
  | { type: 'ok' }
  | { type: 'load'; eventLoopUtilization: number; activeMs: number; cpuMs?: number }
  | { type: 'stopped'; logLines: number; logs: Array<{ count: number; message: string }> }
  | { type: 'error'; message: string };

export class DaemonThread {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: DaemonReply) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', ({ id, reply }: { id: number; reply: DaemonReply }) => {
      this.pending.get(id)?.(reply);
      this.pending.delete(id);
    });
  }

  /** Starts the thread; resolves once the daemon is built (not yet started). */
  static async spawn(env: Record<string, string>): Promise<DaemonThread> {
    const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./daemon-thread.ts', import.meta.url).href, env },
    });
    const host = new DaemonThread(worker);
    await new Promise<void>((resolve, reject) => {
      host.pending.set(0, () => resolve());
      worker.once('error', reject);
    });
    worker.on('error', (error) => {
      for (const settle of host.pending.values()) settle({ type: 'error', message: String(error) });
      host.pending.clear();
    });
    return host;
  }

  async request(request: DaemonRequest): Promise<DaemonReply> {
    const id = this.nextId++;
    const reply = await new Promise<DaemonReply>((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, request });
    });
    if (reply.type === 'error') throw new Error(`daemon thread: ${reply.message}`);
    return reply;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
