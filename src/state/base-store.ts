/**
 * The base snapshot per linked person: the canonical values both sides last agreed on. One Redis hash
 * per person, one field per canonical field, so a write that lands on one side updates only the fields
 * it really wrote.
 */
import type { Redis } from 'ioredis';
import type { CanonicalFields, CanonicalValue } from '../mapping/values.js';
import type { Keyspace } from './keyspace.js';

/** Bookkeeping field kept beside the canonical values; never a canonical name (those are lowercase words). */
const LOGGED_STAGE = '~logged-stage';

export class BaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(person: string): Promise<CanonicalFields | null> {
    return (await this.read(person)).base;
  }

  /** The base and the stage the ledger last logged, in one round trip. */
  async read(person: string): Promise<{ base: CanonicalFields | null; loggedStage: string | undefined }> {
    return parseStored(await this.redis.hgetall(this.keys.base(person)));
  }

  /** Bases of many people in one pipelined round trip (the poller's echo check). */
  async getMany(persons: string[]): Promise<Map<string, CanonicalFields | null>> {
    const out = new Map<string, CanonicalFields | null>();
    if (persons.length === 0) return out;
    const pipeline = this.redis.pipeline();
    for (const person of persons) pipeline.hgetall(this.keys.base(person));
    const replies = (await pipeline.exec()) ?? [];
    persons.forEach((person, i) => {
      const [error, stored] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      out.set(person, parseStored(stored as Record<string, string>).base);
    });
    return out;
  }

  /**
   * Merges canonical values into the base; `loggedStage` records the stage the ledger logged last, so
   * a transition still being written is logged once. One HSET.
   */
  async merge(person: string, values: CanonicalFields, loggedStage?: string): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) fields[name] = JSON.stringify(value);
    if (loggedStage !== undefined) fields[LOGGED_STAGE] = loggedStage;
    if (Object.keys(fields).length === 0) return;
    await this.redis.hset(this.keys.base(person), fields);
  }

  async remove(person: string): Promise<void> {
    await this.redis.del(this.keys.base(person));
  }
}

function parseStored(stored: Record<string, string>): {
  base: CanonicalFields | null;
  loggedStage: string | undefined;
} {
  const names = Object.keys(stored).filter((name) => name !== LOGGED_STAGE);
  const loggedStage = stored[LOGGED_STAGE];
  if (names.length === 0) return { base: null, loggedStage };
  const base: CanonicalFields = {};
  for (const name of names) base[name] = JSON.parse(stored[name]!) as CanonicalValue;
  return { base, loggedStage };
}
