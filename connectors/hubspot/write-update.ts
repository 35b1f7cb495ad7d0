/**
 * `POST /crm/v3/objects/<object>/batch/update`, ≤100 inputs per request (API-NOTES §2.5).
 */
import type { Logger } from 'pino';
import type { RecordPatch, WriteResult } from '../../src/connector/types.js';
import { BATCH_SIZE } from './read-batch.js';
import type { HubSpotTransport } from './transport.js';
import { encodeProperties } from './values.js';
import { type BatchResponse, batchResponseSchema } from './wire.js';
import { type SendBatch, type WriteRun, writeBisecting } from './write-bisect.js';

interface UpdateInput {
  ref: string;
  id: string;
  properties: Record<string, string>;
}

interface PlannedPatch extends UpdateInput {
  clear: Record<string, string>;
}

/**
 * Chunks of at most `size` in which no id repeats: HubSpot rejects a batch naming one id twice, and
 * a later patch of the same record must run in a later request to keep its order.
 */
export function chunkByUniqueId<T extends { id: string }>(items: readonly T[], size: number): T[][] {
  const chunks: { items: T[]; ids: Set<string> }[] = [];
  for (const item of items) {
    let lastUsed = -1;
    chunks.forEach((chunk, index) => {
      if (chunk.ids.has(item.id)) lastUsed = index;
    });
    let target = chunks.slice(lastUsed + 1).find((chunk) => chunk.items.length < size);
    if (!target) {
      target = { items: [], ids: new Set() };
      chunks.push(target);
    }
    target.items.push(item);
    target.ids.add(item.id);
  }
  return chunks.map((chunk) => chunk.items);
}

/**
 * Results come back in no guaranteed order (API-NOTES §2.5), so they are matched to inputs by id.
 * A 207 names failed inputs in `errors[].context.ids`. An input with neither is reported retryable.
 */
export function matchUpdateResults(inputs: readonly UpdateInput[], response: BatchResponse): WriteResult[] {
  const succeeded = new Set(response.results.map((result) => result.id));
  const failed = new Map<string, { category?: string | undefined; message?: string | undefined }>();
  for (const error of response.errors) for (const id of error.context?.ids ?? []) failed.set(id, error);
  return inputs.map((input): WriteResult => {
    if (succeeded.has(input.id)) return { ref: input.ref, ok: true, id: input.id };
    const error = failed.get(input.id);
    if (error) {
      const code = error.category ?? 'ERROR';
      return {
        ref: input.ref,
        ok: false,
        error: { kind: 'permanent', code, message: error.message ?? code, fields: [] },
      };
    }
    const message = `HubSpot returned no result for ${input.id}`;
    return {
      ref: input.ref,
      ok: false,
      error: { kind: 'retryable', code: 'MISSING_RESULT', message, fields: [] },
    };
  });
}

export async function updateRecords(
  transport: HubSpotTransport,
  object: string,
  patches: RecordPatch[],
  logger?: Logger,
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  const planned: PlannedPatch[] = [];
  for (const patch of patches) {
    const encoded = encodeProperties(patch.fields);
    if (!encoded.ok) results.push({ ref: patch.ref, ok: false, error: encoded.error });
    else {
      const clear = Object.fromEntries((patch.clearFirst ?? []).map((name) => [name, '']));
      planned.push({ ref: patch.ref, id: patch.id, properties: encoded.properties, clear });
    }
  }

  const send: SendBatch<UpdateInput> = async (inputs) => {
    const response = await transport.send(
      'hubspot',
      {
        method: 'POST',
        path: `/crm/v3/objects/${encodeURIComponent(object)}/batch/update`,
        body: { inputs: inputs.map(({ id, properties }) => ({ id, properties })) },
      },
      batchResponseSchema,
    );
    return matchUpdateResults(inputs, response);
  };

  const run: WriteRun = { committed: false };
  for (const batch of chunkByUniqueId(planned, BATCH_SIZE)) {
    // Clearing is its own, earlier request: HubSpot ignores a backward `lifecyclestage` write unless the
    // value was set to "" first, and inputs of one batch run in no guaranteed order (API-NOTES §2.8).
    const clears = batch
      .filter((patch) => Object.keys(patch.clear).length > 0)
      .map(({ ref, id, clear }) => ({ ref, id, properties: clear }));
    const clearFailed = new Set<string>();
    for (const result of await writeBisecting(clears, send, run)) {
      if (!result.ok) {
        clearFailed.add(result.ref);
        results.push(result);
      }
    }
    const updates: UpdateInput[] = [];
    for (const patch of batch) {
      if (clearFailed.has(patch.ref)) continue;
      // Nothing left to write (a clear-only patch, or an empty one): the cheapest write is the one not made.
      if (Object.keys(patch.properties).length === 0)
        results.push({ ref: patch.ref, ok: true, id: patch.id });
      else updates.push(patch);
    }
    results.push(...(await writeBisecting(updates, send, run)));
  }
  if (run.halted) logger?.warn({ object, err: run.halted }, 'hubspot update stopped after a partial commit');
  return results;
}
