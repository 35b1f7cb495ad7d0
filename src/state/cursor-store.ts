/** Capture cursors per system and object, validated on the way out of Redis. */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ChangeCursor } from '../connector/types.js';
import type { Keyspace } from './keyspace.js';

const cursorSchema = z.object({ modifiedAt: z.string(), id: z.string() });

export class CursorStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(system: string, object: string): Promise<ChangeCursor | null> {
    const raw = await this.redis.get(this.keys.cursor(system, object));
    return raw ? cursorSchema.parse(JSON.parse(raw)) : null;
  }

  async set(system: string, object: string, cursor: ChangeCursor): Promise<void> {
    await this.redis.set(this.keys.cursor(system, object), JSON.stringify(cursor));
  }
}
