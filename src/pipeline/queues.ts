/**
 * The queues (DESIGN.md §1): `changes` (one pending job per changed record) and one write queue per
 * API budget. Every queue lives under LOCKSTEP_REDIS_PREFIX through BullMQ's own `prefix`.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CanonicalFields } from '../mapping/values.js';

export const CHANGES_QUEUE = 'changes';
export const WRITE_QUEUES = { hubspot: 'write-hubspot', salesforce: 'write-salesforce' } as const;
export const ALL_QUEUES = [CHANGES_QUEUE, WRITE_QUEUES.hubspot, WRITE_QUEUES.salesforce] as const;

export interface ChangeJob {
  system: 'hubspot' | 'salesforce';
  object: string;
  id: string;
}

export interface WriteJob {
  op: 'update' | 'create';
  system: 'hubspot' | 'salesforce';
  object: string;
  /** Record id for updates. */
  id?: string;
  fields: Record<string, unknown>;
  clearFirst?: string[];
  /** Canonical values the write establishes: merged into the base when it succeeds. */
  canonical: CanonicalFields;
  /** Values the fields had before (for the ledger). */
  previous?: Record<string, unknown>;
  /** Stable person key (HubSpot contact id); for a HubSpot create, absent until created. */
  person?: string;
  /** For creates: the record on the other side the new one belongs to. */
  source?: { system: 'hubspot' | 'salesforce'; object: string; id: string };
  /** When the sync that planned it started (ms): echo verdicts after this may be overtaken by it. */
  plannedAt?: number;
  /** Who caused it: hubspot, salesforce, qualification. */
  origin: string;
  /** Email or name, for messages an admin can act on. */
  label?: string;
  /** For a link-id write-back: the record the link names (for the narration). */
  linkTo?: string;
}

export interface LockstepQueues {
  changes: Queue<ChangeJob>;
  writes: { hubspot: Queue<WriteJob>; salesforce: Queue<WriteJob> };
  all(): Queue[];
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): LockstepQueues {
  const changes = new Queue<ChangeJob>(CHANGES_QUEUE, { connection, prefix });
  const hubspot = new Queue<WriteJob>(WRITE_QUEUES.hubspot, { connection, prefix });
  const salesforce = new Queue<WriteJob>(WRITE_QUEUES.salesforce, { connection, prefix });
  return {
    changes,
    writes: { hubspot, salesforce },
    all: () => [changes, hubspot, salesforce],
    close: async () => {
      await Promise.all([changes.close(), hubspot.close(), salesforce.close()]);
    },
  };
}

/** BullMQ job ids may not be bare numbers or contain ':' (DESIGN.md §6). */
export function changeKey(change: ChangeJob): string {
  return `${change.system === 'hubspot' ? 'hs' : 'sf'}-${change.object}-${change.id}`;
}
