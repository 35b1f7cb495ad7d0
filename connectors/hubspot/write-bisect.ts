/**
 * Batch writes that fail one record, never the batch, for a bad value.
 *
 * HubSpot batch/update answers one invalid value with a 400 VALIDATION_ERROR for the WHOLE batch (no
 * partial commit), and batch/create answers one existing email with a 409 CONFLICT for the whole batch,
 * naming only the first duplicate (API-NOTES §2.5, §6.3). Neither says which input was at fault, so the
 * batch is split in halves and retried until the bad input stands alone: one bad record in 100 costs
 * 2·⌈log2 100⌉+1 ≈ 15 calls instead of 100 single writes.
 */
import { ApiError, BadRequestError } from '../../src/connector/errors.js';
import type { RecordWriteError, WriteResult } from '../../src/connector/types.js';
import { vendorBodyOf } from './errors.js';

export interface WriteInput {
  ref: string;
  /** The property values the input writes (both batch update and create inputs carry them). */
  properties?: Record<string, unknown>;
}

/**
 * Errors about a property itself rather than a value: every input that writes the property fails
 * the same way, so those inputs are failed at once instead of bisected down one by one (a missing
 * property in a batch of 100 would otherwise cost 199 calls, and again for every batch).
 */
export function propertiesWithSchemaErrors(message: string): string[] {
  return propertiesNamedIn(message, [], /"error"\s*:\s*"(PROPERTY_DOESNT_EXIST|READ_ONLY_VALUE)"/);
}

/** Shared across all requests of one `updateRecords`/`createRecords` call. */
export interface WriteRun {
  /** Some request of this call changed data in HubSpot. */
  committed: boolean;
  /** A batch-level failure after a commit: every later input fails retryable with it, no more calls. */
  halted?: ApiError;
}

/** Sends one batch; resolves with a result for each input (by `ref`), throws on batch-level failure. */
export type SendBatch<I extends WriteInput> = (inputs: I[]) => Promise<WriteResult[]>;

/** Failures that belong to one input of the batch rather than to the request or the account. */
function isInputError(error: ApiError): boolean {
  if (!(error instanceof BadRequestError)) return false;
  if (error.status === 400 || error.status === 409 || error.status === 422) return true;
  return error.status === 404 && error.code === 'OBJECT_NOT_FOUND';
}

/**
 * The property names a validation message is about. HubSpot embeds a JSON array in the message:
 * `Property values were not valid: [{"isValid":false,…,"error":"INVALID_OPTION","name":"hs_lead_status"}]`
 * (API-NOTES §2.2); `errors[].in` may name it too.
 */
export function propertiesNamedIn(
  message: string,
  details: readonly { in?: string | undefined }[] = [],
  /** Only entries of the embedded array that match this (an error code, say). */
  entryFilter?: RegExp,
): string[] {
  const names = new Set<string>();
  for (const entry of validationEntries(message))
    if (!entryFilter || entryFilter.test(entry.text)) names.add(entry.name);
  for (const detail of details) if (detail.in) names.add(detail.in);
  return [...names];
}

/** The entries of the JSON array HubSpot embeds in a validation message, each with its property name. */
function validationEntries(message: string): Array<{ name: string; text: string }> {
  const entries: Array<{ name: string; text: string }> = [];
  for (const match of message.matchAll(/\{[^{}]*\}/g)) {
    const name = /"name"\s*:\s*"([^"]+)"/.exec(match[0])?.[1];
    if (name) entries.push({ name, text: match[0] });
  }
  return entries;
}

/**
 * The batch's validation message cut down to the entries about `names`, each once: a batch of 100 that
 * writes a missing property lists it once per input, and one record's dead letter should quote only
 * what concerns it. A message without the embedded array is kept whole.
 */
export function messageAbout(message: string, names: readonly string[]): string {
  const open = message.indexOf('[');
  if (open < 0) return message;
  const kept = new Map<string, string>();
  for (const { name, text } of validationEntries(message.slice(open)))
    if (names.includes(name) && !kept.has(name)) kept.set(name, text);
  if (kept.size === 0) return message;
  return `${message.slice(0, open)}[${[...kept.values()].join(',')}]`;
}

export function recordErrorFrom(error: ApiError): RecordWriteError {
  const body = vendorBodyOf(error);
  const message = body?.message ?? error.message;
  return {
    kind: 'permanent',
    code: body?.category ?? error.code ?? `HTTP_${error.status ?? 'ERROR'}`,
    message,
    fields: propertiesNamedIn(message, body?.errors),
  };
}

export function retryableResult(ref: string, error: ApiError): WriteResult {
  return {
    ref,
    ok: false,
    error: { kind: 'retryable', code: error.code ?? error.name, message: error.message, fields: [] },
  };
}

/**
 * Writes `inputs` in one request, bisecting on input errors. Before anything was committed a
 * batch-level failure is thrown (the pipeline retries the whole call with the error's wait); after a
 * commit it becomes a retryable result per unwritten input, so committed writes are not replayed and a
 * cleared `lifecyclestage` is not left unreported.
 */
export async function writeBisecting<I extends WriteInput>(
  inputs: I[],
  send: SendBatch<I>,
  run: WriteRun,
): Promise<WriteResult[]> {
  if (inputs.length === 0) return [];
  if (run.halted) return inputs.map((input) => retryableResult(input.ref, run.halted as ApiError));
  try {
    const results = await send(inputs);
    run.committed = true;
    return results;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (isInputError(error)) {
      const [only] = inputs;
      if (inputs.length === 1 && only) return [{ ref: only.ref, ok: false, error: recordErrorFrom(error) }];
      const failure = recordErrorFrom(error);
      const badProperties = propertiesWithSchemaErrors(failure.message);
      if (badProperties.length > 0) {
        const writesBadProperty = (input: I) =>
          badProperties.some((name) => name in (input.properties ?? {}));
        const bad = inputs.filter(writesBadProperty);
        if (bad.length > 0) {
          const rest = await writeBisecting(
            inputs.filter((input) => !writesBadProperty(input)),
            send,
            run,
          );
          // Each input's error names the refused properties it writes itself, nothing of the others'.
          const failed = new Map(
            bad.map((input) => {
              const fields = badProperties.filter((name) => name in (input.properties ?? {}));
              return [
                input.ref,
                {
                  ref: input.ref,
                  ok: false as const,
                  error: { ...failure, message: messageAbout(failure.message, fields), fields },
                },
              ];
            }),
          );
          const restByRef = new Map(rest.map((result) => [result.ref, result]));
          return inputs.map((input) => failed.get(input.ref) ?? restByRef.get(input.ref)!);
        }
      }
      const middle = Math.floor(inputs.length / 2);
      const left = await writeBisecting(inputs.slice(0, middle), send, run);
      const right = await writeBisecting(inputs.slice(middle), send, run);
      return [...left, ...right];
    }
    if (!run.committed) throw error;
    run.halted = error;
    return inputs.map((input) => retryableResult(input.ref, error));
  }
}
