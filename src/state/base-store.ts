/**
 * The base snapshot per linked person: the canonical values both sides last agreed on. One Redis hash
 * per person, one field per canonical field, so a write that lands on one side updates only the fields
 * it really wrote.
 */
import type { Redis } from 'ioredis';
import type { CanonicalFields, CanonicalValue } from '../mapping/values.js';
import type { Keyspace } from './keyspace.js';

export class BaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(person: string): Promise<CanonicalFields | null> {
    const stored = await this.redis.hgetall(this.keys.base(person));
    const names = Object.keys(stored);
    if (names.length === 0) return null;
    const base: CanonicalFields = {};
    for (const name of names) base[name] = JSON.parse(stored[name]!) as CanonicalValue;
    return base;
  }

  async merge(person: string, values: CanonicalFields): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    await this.redis.hset(
      this.keys.base(person),
      Object.fromEntries(entries.map(([k, v]) => [k, JSON.stringify(v)])),
    );
  }

  async remove(person: string): Promise<void> {
    await this.redis.del(this.keys.base(person));
  }
}
