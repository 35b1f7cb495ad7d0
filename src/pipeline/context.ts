/** Everything the workers share: mappings, connectors, state and queues. Built once by the daemon. */
import type { Logger } from 'pino';
import type { Connector } from '../connector/types.js';
import type { MappingConfig } from '../mapping/compile.js';
import type { BaseStore } from '../state/base-store.js';
import type { Crosswalk } from '../state/crosswalk.js';
import type { DeadLetterIndex } from '../state/dead-letter-index.js';
import type { Ledger } from '../state/ledger.js';
import type { Locks } from '../state/lock.js';
import type { SyncHealth } from './health.js';
import type { LockstepQueues } from './queues.js';
import type { RecordReader } from './record-reader.js';

export interface SyncContext {
  mapping: MappingConfig;
  connectors: { hubspot: Connector; salesforce: Connector };
  readers: { hubspot: RecordReader; salesforce: RecordReader };
  crosswalk: Crosswalk;
  bases: BaseStore;
  ledger: Ledger;
  deadLetters: DeadLetterIndex;
  locks: Locks;
  queues: LockstepQueues;
  logger: Logger;
  /** Credentials state for /readyz; absent in tests that do not watch it. */
  health?: SyncHealth;
  /** Optional narrator: one plain sentence per thing that happened (the sandbox prints these). */
  narrate?: (sentence: string) => void;
}
