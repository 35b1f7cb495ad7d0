/**
 * The HubSpot CRM v3 JSON shapes this connector reads (API-NOTES §2.2–2.7), validated at the edge so
 * nothing past this file handles `unknown`. Unknown keys are dropped; everything HubSpot marks optional
 * stays optional ("should all be treated as optional in any error parsing", §2.2).
 */
import { z } from 'zod';
import { fieldBagSchema } from '../shared/field-bag.js';

/** SimplePublicObject: property values are strings or null (§2.4), kept raw for the core. */
export const hsObjectSchema = z.object({
  id: z.string(),
  properties: fieldBagSchema.default({}),
  updatedAt: z.string().optional(),
  /** Echo of the input's `objectWriteTraceId` on batch create (SDK model SimplePublicObject). */
  objectWriteTraceId: z.string().optional(),
});
export type HsObject = z.infer<typeof hsObjectSchema>;

/** CollectionResponseWithTotalSimplePublicObjectForwardPaging; the last page has no `paging` (§2.4). */
export const searchResponseSchema = z.object({
  total: z.number().optional(),
  results: z.array(hsObjectSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

/** StandardError inside a 207 `errors[]`: `context.ids` names the inputs it is about (§2.5). */
export const standardErrorSchema = z.object({
  category: z.string().optional(),
  message: z.string().optional(),
  id: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
});
export type StandardError = z.infer<typeof standardErrorSchema>;

/** BatchResponseSimplePublicObject(WithErrors): 200/201, or 207 with `errors` (the SDK does not throw). */
export const batchResponseSchema = z.object({
  status: z.string().optional(),
  results: z.array(hsObjectSchema).default([]),
  errors: z.array(standardErrorSchema).default([]),
});
export type BatchResponse = z.infer<typeof batchResponseSchema>;

/** Error body of a non-2xx answer (§2.2, 429 variant §2.3: `policyName`). */
export const errorBodySchema = z.object({
  message: z.string().optional(),
  category: z.string().optional(),
  policyName: z.string().optional(),
  correlationId: z.string().optional(),
  errors: z
    .array(
      z.object({ message: z.string().optional(), code: z.string().optional(), in: z.string().optional() }),
    )
    .optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** One property from `GET /crm/v3/properties/<object>` (§2.7). */
export const propertySchema = z.object({
  name: z.string(),
  label: z.string().default(''),
  type: z.string(),
  calculated: z.boolean().optional(),
  externalOptions: z.boolean().optional(),
  options: z.array(z.object({ value: z.string(), hidden: z.boolean().optional() })).optional(),
  modificationMetadata: z.object({ readOnlyValue: z.boolean().optional() }).optional(),
});
export type HsProperty = z.infer<typeof propertySchema>;

export const propertiesResponseSchema = z.object({ results: z.array(propertySchema) });
