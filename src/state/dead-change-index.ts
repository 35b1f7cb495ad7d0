/**
 * Which dead-lettered sync (change job) is the latest for each record. Change jobs get a new id per
 * capture, so a record that fails for good on every edit (two records sharing an email, say) would
 * otherwise add a dead letter per edit, for ever: the newest one stands for the record, older ones go.
 */
import type { Redis } from 'ioredis';
import { swapField } from './hash-field.js';
import type { Keyspace } from './keyspace.js';

export class DeadChangeIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Records `jobId` as the record's dead letter; returns the one it replaces, if another. */
  async replace(recordKey: string, jobId: string): Promise<string | undefined> {
    const old = await swapField(this.redis, this.keys.deadChanges, recordKey, jobId);
    return old && old !== jobId ? old : undefined;
  }
}
