/**
 * Which dead letter is the latest for each record, per queue. Change jobs get a new id per capture and
 * write jobs one per planned value, so a record that fails for good on every edit (two records sharing
 * an email, a value the target keeps refusing) would otherwise add a dead letter per edit, for ever:
 * the newest one stands for the record, older ones go. A retry or drop takes the record off.
 */
import type { Redis } from 'ioredis';
import { replaceFieldIfSame, swapField } from './hash-field.js';
import type { Keyspace } from './keyspace.js';

export class DeadLetterIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Records `jobId` as the record's dead letter in `queue`; returns the one it replaces, if another. */
  async replace(queue: string, recordKey: string, jobId: string): Promise<string | undefined> {
    const old = await swapField(this.redis, this.keys.deadLetters, field(queue, recordKey), jobId);
    return old && old !== jobId ? old : undefined;
  }

  /** The dead letter `jobId` was retried or dropped: the record no longer has one (unless a newer). */
  async forget(queue: string, recordKey: string, jobId: string): Promise<void> {
    await replaceFieldIfSame(this.redis, this.keys.deadLetters, field(queue, recordKey), jobId, null);
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.keys.deadLetters);
  }
}

function field(queue: string, recordKey: string): string {
  return `${queue}|${recordKey}`;
}
