/**
 * `POST /crm/v3/objects/<object>/batch/create`, ≤100 inputs per request (API-NOTES §2.5).
 *
 * Created records have new ids, so results are matched to inputs through `objectWriteTraceId`, which
 * HubSpot echoes on each result (SDK models SimplePublicObjectBatchInputForCreate / SimplePublicObject)
 * and names in 207 errors. A result without it is matched by its properties; an input that still has
 * no match is reported permanent, never retryable, because a retry could create a duplicate.
 */
import type { Logger } from 'pino';
import type { RecordCreate, WriteResult } from '../../src/connector/types.js';
import { BATCH_SIZE, chunk } from './read-batch.js';
import type { HubSpotTransport } from './transport.js';
import { encodeProperties } from './values.js';
import { type BatchResponse, batchResponseSchema, type HsObject, type StandardError } from './wire.js';
import { type SendBatch, type WriteRun, writeBisecting } from './write-bisect.js';

interface CreateInput {
  ref: string;
  traceId: string;
  properties: Record<string, string>;
}

function traceIdOfError(error: StandardError): string | undefined {
  return error.context?.objectWriteTraceId?.[0] ?? error.id;
}

/** Every sent value came back unchanged (emails case-insensitively: HubSpot lower-cases them). */
function sameProperties(input: CreateInput, result: HsObject): boolean {
  return Object.entries(input.properties).every(([name, value]) => {
    const returned = result.properties[name];
    if (typeof returned !== 'string') return value === '';
    return name === 'email' ? returned.toLowerCase() === value.toLowerCase() : returned === value;
  });
}

export function matchCreateResults(inputs: readonly CreateInput[], response: BatchResponse): WriteResult[] {
  const byTrace = new Map(inputs.map((input) => [input.traceId, input]));
  const matched = new Map<string, WriteResult>();
  const untraced: HsObject[] = [];
  for (const result of response.results) {
    const input =
      result.objectWriteTraceId === undefined ? undefined : byTrace.get(result.objectWriteTraceId);
    if (input && !matched.has(input.ref)) matched.set(input.ref, { ref: input.ref, ok: true, id: result.id });
    else untraced.push(result);
  }
  const failure = (ref: string, error: StandardError): WriteResult => {
    const code = error.category ?? 'ERROR';
    return { ref, ok: false, error: { kind: 'permanent', code, message: error.message ?? code, fields: [] } };
  };
  const untracedErrors: StandardError[] = [];
  for (const error of response.errors) {
    const input = byTrace.get(traceIdOfError(error) ?? '');
    if (input && !matched.has(input.ref)) matched.set(input.ref, failure(input.ref, error));
    else untracedErrors.push(error);
  }
  const unused: HsObject[] = [];
  for (const result of untraced) {
    const candidates = inputs.filter((input) => !matched.has(input.ref) && sameProperties(input, result));
    const [only] = candidates;
    if (candidates.length === 1 && only) matched.set(only.ref, { ref: only.ref, ok: true, id: result.id });
    else unused.push(result);
  }
  // One input and one result left (always so for a single-input batch): HubSpot may have normalised a
  // value (a number's format, a phone number), but there is nothing else it can be.
  const open = inputs.filter((input) => !matched.has(input.ref));
  const [lastInput] = open;
  const [lastResult] = unused;
  const [lastError] = untracedErrors;
  if (open.length === 1 && lastInput && unused.length + untracedErrors.length === 1) {
    if (lastResult) matched.set(lastInput.ref, { ref: lastInput.ref, ok: true, id: lastResult.id });
    else if (lastError) matched.set(lastInput.ref, failure(lastInput.ref, lastError));
  }
  return inputs.map(
    (input): WriteResult =>
      matched.get(input.ref) ?? {
        ref: input.ref,
        ok: false,
        error: {
          kind: 'permanent',
          code: 'UNMATCHED_RESULT',
          message:
            'HubSpot answered the batch create without a result that can be tied to this input; it may exist',
          fields: [],
        },
      },
  );
}

export async function createRecords(
  transport: HubSpotTransport,
  object: string,
  creates: RecordCreate[],
  logger?: Logger,
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  const inputs: CreateInput[] = [];
  creates.forEach((create, index) => {
    const encoded = encodeProperties(create.fields);
    if (!encoded.ok) results.push({ ref: create.ref, ok: false, error: encoded.error });
    // The index, not the ref, as trace id: refs are the caller's and need not be unique.
    else inputs.push({ ref: create.ref, traceId: String(index), properties: encoded.properties });
  });

  const send: SendBatch<CreateInput> = async (batch) => {
    const response = await transport.send(
      'hubspot',
      {
        method: 'POST',
        path: `/crm/v3/objects/${encodeURIComponent(object)}/batch/create`,
        body: {
          inputs: batch.map(({ traceId, properties }) => ({
            properties,
            associations: [],
            objectWriteTraceId: traceId,
          })),
        },
      },
      batchResponseSchema,
    );
    const matched = matchCreateResults(batch, response);
    const unmatched = matched.filter((result) => !result.ok && result.error.code === 'UNMATCHED_RESULT');
    if (unmatched.length > 0)
      logger?.warn({ object, refs: unmatched.map((r) => r.ref) }, 'unmatched create results');
    return matched;
  };

  // A 409 CONFLICT ("Contact already exists. Existing ID: 123") fails the whole batch: bisection gives
  // the duplicate its own permanent CONFLICT error and creates the rest (API-NOTES §2.5).
  const run: WriteRun = { committed: false };
  for (const batch of chunk(inputs, BATCH_SIZE)) results.push(...(await writeBisecting(batch, send, run)));
  if (run.halted) logger?.warn({ object, err: run.halted }, 'hubspot create stopped after a partial commit');
  return results;
}
