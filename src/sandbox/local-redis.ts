/**
 * The sandbox needs a Redis. Use REDIS_URL when it answers; otherwise, when `redis-server` is on PATH,
 * start a private one on a free port (nothing kept on disk) and stop it on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

export async function ensureRedis(url: string): Promise<LocalRedis> {
  if (await answers(url)) return { url, stop: async () => {} };
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', resolve);
    });
  } catch {
    throw new Error(
      `no Redis answers at ${url} and redis-server is not installed; install Redis or set REDIS_URL`,
    );
  }
  const ownUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(ownUrl)); i += 1) await new Promise((r) => setTimeout(r, 100));
  return {
    url: ownUrl,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
