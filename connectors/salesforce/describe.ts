/**
 * `GET /sobjects/<Object>/describe` mapped to the connector's ObjectSchema (field keys: API-NOTES §1.5).
 * Not cached: `validate --live` and setup call it rarely, and a stale picklist is worse than one call.
 */
import { z } from 'zod';
import { ApiError } from '../../src/connector/errors.js';
import type { FieldSchema, ObjectSchema } from '../../src/connector/types.js';
import type { SalesforceRestClient } from './rest-client.js';
import { objectName } from './soql.js';

const describeFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  length: z.number().nullish(),
  createable: z.boolean().default(false),
  updateable: z.boolean().default(false),
  restrictedPicklist: z.boolean().nullish(),
  picklistValues: z.array(z.object({ active: z.boolean(), value: z.string() })).nullish(),
});

const describeSchema = z.object({ name: z.string(), fields: z.array(describeFieldSchema) });

const PICKLIST_TYPES = new Set(['picklist', 'multipicklist', 'combobox']);

export function toFieldSchema(field: z.infer<typeof describeFieldSchema>): FieldSchema {
  const schema: FieldSchema = {
    name: field.name,
    label: field.label,
    type: field.type,
    // Mappings may create records as well as update them; either permission makes the field a target.
    writable: field.updateable || field.createable,
  };
  if (PICKLIST_TYPES.has(field.type) || (field.picklistValues?.length ?? 0) > 0) {
    // Inactive values are rejected on write by restricted picklists and hidden in the UI elsewhere.
    schema.options = (field.picklistValues ?? []).filter((entry) => entry.active).map((entry) => entry.value);
    schema.restricted = field.restrictedPicklist === true;
  }
  // Salesforce reports length 0 for types without one (numbers, booleans, dates).
  if (field.length !== null && field.length !== undefined && field.length > 0) schema.length = field.length;
  return schema;
}

export async function describeObject(client: SalesforceRestClient, object: string): Promise<ObjectSchema> {
  const body = await client.request({ method: 'GET', path: `/sobjects/${objectName(object)}/describe` });
  const parsed = describeSchema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(
      'salesforce',
      `unexpected describe response for ${object}`,
      undefined,
      'UNEXPECTED_RESPONSE',
    );
  }
  return { object: parsed.data.name, fields: parsed.data.fields.map(toFieldSchema) };
}
