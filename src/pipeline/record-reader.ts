/**
 * Batched, coalesced reads for the sync worker: concurrent jobs asking for single records share one
 * batch read per object (HubSpot batch/read ≤100, Salesforce `Id IN (…)` ≤200).
 */
import type { Connector, SourceRecord } from '../connector/types.js';
import { Batcher } from './batcher.js';

interface ByIdRequest {
  object: string;
  id: string;
}

interface ByEmailRequest {
  object: string;
  email: string;
}

export class RecordReader {
  private readonly byId: Batcher<ByIdRequest, SourceRecord | undefined>;
  private readonly byEmail: Batcher<ByEmailRequest, SourceRecord[]>;

  constructor(
    private readonly connector: Connector,
    private readonly fieldsOf: (object: string) => string[],
    batchSize: number,
    maxWaitMs = 10,
  ) {
    this.byId = new Batcher({
      maxSize: batchSize,
      maxWaitMs,
      groupOf: (request) => request.object,
      run: async (object, requests) => {
        const unique = [...new Set(requests.map((r) => r.id))];
        const found = await this.connector.readByIds(object, unique, this.fieldsOf(object));
        return requests.map((r) => found.get(r.id));
      },
    });
    this.byEmail = new Batcher({
      maxSize: batchSize,
      maxWaitMs,
      groupOf: (request) => request.object,
      run: async (object, requests) => {
        const unique = [...new Set(requests.map((r) => r.email))];
        const records = await this.connector.findByEmails(object, unique, this.fieldsOf(object));
        return requests.map((r) => records.filter((record) => emailOf(record) === r.email));
      },
    });
  }

  read(object: string, id: string): Promise<SourceRecord | undefined> {
    return this.byId.submit({ object, id });
  }

  findByEmail(object: string, email: string): Promise<SourceRecord[]> {
    return this.byEmail.submit({ object, email });
  }
}

function emailOf(record: SourceRecord): string | undefined {
  const value = record.fields.email ?? record.fields.Email;
  return typeof value === 'string' ? value.trim().toLowerCase() : undefined;
}
