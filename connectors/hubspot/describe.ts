/**
 * `GET /crm/v3/properties/<object>` → the core's ObjectSchema, for `lockstep validate --live`.
 */
import type { FieldSchema, ObjectSchema } from '../../src/connector/types.js';
import type { HubSpotTransport } from './transport.js';
import { type HsProperty, propertiesResponseSchema } from './wire.js';

export function toFieldSchema(property: HsProperty): FieldSchema {
  const field: FieldSchema = {
    name: property.name,
    label: property.label,
    type: property.type,
    // `readOnlyValue: true` means the API cannot write it (hubspotscore, hs_analytics_*, …), and
    // calculated properties are computed by HubSpot (API-NOTES §2.7, §2.9).
    writable: !property.modificationMetadata?.readOnlyValue && !property.calculated,
  };
  // An enumeration whose options come from elsewhere (`externalOptions`, e.g. owners) lists none here,
  // so it cannot be checked against a list.
  if (property.type === 'enumeration' && !property.externalOptions) {
    // Hidden options are only hidden from forms and the UI; the API still accepts them.
    field.options = (property.options ?? []).map((option) => option.value);
    field.restricted = true;
  }
  return field;
}

export async function describeObject(transport: HubSpotTransport, object: string): Promise<ObjectSchema> {
  const response = await transport.send(
    'hubspot',
    { method: 'GET', path: `/crm/v3/properties/${encodeURIComponent(object)}` },
    propertiesResponseSchema,
  );
  return { object, fields: response.results.map(toFieldSchema) };
}
