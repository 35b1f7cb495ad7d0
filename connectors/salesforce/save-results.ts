/**
 * sObject Collections answer HTTP 200 even when records fail: each element is a SaveResult with
 * `success` and `errors[{statusCode, message, fields}]`, a failed one has no `id`, and they come back
 * in input order (API-NOTES §1.6, §6.1). So results are matched to inputs by index, never by id.
 */
import { z } from 'zod';
import { ApiError } from '../../src/connector/errors.js';
import type { RecordWriteError, WriteErrorKind, WriteResult } from '../../src/connector/types.js';

const saveResultSchema = z.object({
  id: z.string().nullish(),
  success: z.boolean(),
  errors: z
    .array(
      z.object({
        // Per-record errors use `statusCode`; top-level REST errors use `errorCode` (API-NOTES §1.6).
        statusCode: z.string(),
        message: z.string(),
        fields: z.array(z.string()).nullish(),
      }),
    )
    .default([]),
});

const saveResultsSchema = z.array(saveResultSchema);

/**
 * Codes where the same write can succeed later. Everything else is about the record or its values
 * (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, FIELD_CUSTOM_VALIDATION_EXCEPTION, CANNOT_UPDATE_CONVERTED_LEAD,
 * INVALID_FIELD_FOR_INSERT_UPDATE, STRING_TOO_LONG, REQUIRED_FIELD_MISSING, DUPLICATE_VALUE,
 * INVALID_CROSS_REFERENCE_KEY, ENTITY_IS_DELETED, INVALID_EMAIL_ADDRESS, …) and repeating it cannot help,
 * so unknown codes count as permanent: a dead letter with its reason beats an endless retry.
 */
const RETRYABLE_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  // Only with allOrNone: true (we send false): the record was fine, another one failed.
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'REQUEST_RUNNING_TOO_LONG',
  'SERVER_UNAVAILABLE',
]);

export function writeErrorKind(statusCode: string): WriteErrorKind {
  return RETRYABLE_CODES.has(statusCode) ? 'retryable' : 'permanent';
}

type SaveResult = z.infer<typeof saveResultSchema>;

function recordError(result: SaveResult): RecordWriteError {
  const [first] = result.errors;
  if (first === undefined) {
    return {
      kind: 'permanent',
      code: 'UNKNOWN_ERROR',
      message: 'Salesforce reported a failure without errors',
      fields: [],
    };
  }
  // One record can fail for several reasons; any permanent one makes a retry pointless.
  const permanent = result.errors.some((error) => writeErrorKind(error.statusCode) === 'permanent');
  return {
    kind: permanent ? 'permanent' : 'retryable',
    code: first.statusCode,
    message: result.errors.map((error) => error.message).join('; '),
    fields: [...new Set(result.errors.flatMap((error) => error.fields ?? []))],
  };
}

export interface SentRecord {
  ref: string;
  /** The id we updated (an update's SaveResult id is the same); absent for creates. */
  id?: string;
}

/** Pairs the i-th SaveResult with the i-th record sent. */
export function mapSaveResults(sent: SentRecord[], body: unknown): WriteResult[] {
  const parsed = saveResultsSchema.safeParse(body);
  if (!parsed.success || parsed.data.length !== sent.length) {
    throw new ApiError(
      'salesforce',
      `unexpected sObject Collections response: expected ${sent.length} SaveResults`,
      undefined,
      'UNEXPECTED_RESPONSE',
    );
  }
  return parsed.data.map((result, index): WriteResult => {
    const { ref, id: sentId } = sent[index] as SentRecord;
    if (!result.success) return { ref, ok: false, error: recordError(result) };
    const id = result.id ?? sentId;
    if (id) return { ref, ok: true, id };
    // A create that reports success without an id cannot be linked; retrying it would duplicate the record.
    return {
      ref,
      ok: false,
      error: {
        kind: 'permanent',
        code: 'MISSING_ID',
        message: 'Salesforce returned success without an id',
        fields: [],
      },
    };
  });
}
