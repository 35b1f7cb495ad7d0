/**
 * `validate --live`: checks the mappings against both systems' real schemas — the field exists, is
 * writable where the mapping writes it, and every picklist value the mapping writes is allowed. Pure:
 * the schemas are passed in.
 */
import type { ObjectSchema } from '../connector/types.js';
import type { MappingConfig, SalesforceObject } from './compile.js';

export interface LiveProblem {
  system: 'hubspot' | 'salesforce';
  object: string;
  field: string;
  message: string;
}

export function checkAgainstSchemas(
  mapping: MappingConfig,
  hubspot: ObjectSchema,
  salesforce: Partial<Record<SalesforceObject, ObjectSchema>>,
): LiveProblem[] {
  const problems: LiveProblem[] = [];
  const check = (
    system: 'hubspot' | 'salesforce',
    schema: ObjectSchema,
    field: string,
    writes: boolean,
    values: string[],
  ) => {
    const found = schema.fields.find((f) => f.name.toLowerCase() === field.toLowerCase());
    const add = (message: string) => problems.push({ system, object: schema.object, field, message });
    if (!found) {
      add(
        `does not exist on ${schema.object}; create it (see the README's "Running against real orgs") or fix the mapping`,
      );
      return;
    }
    if (writes && !found.writable)
      add(`is read-only on ${schema.object}; set the pair's sync so Lockstep does not write it`);
    if (found.restricted && found.options) {
      for (const value of values) {
        if (!found.options.includes(value)) {
          add(
            `value "${value}" is not an allowed option (${found.options.join(', ')}); add it or change the mapping`,
          );
        }
      }
    }
  };

  for (const field of mapping.fields) {
    if (field.sync === 'none') continue;
    const writesHubSpot = field.sync === 'both' || field.sync === 'salesforce_to_hubspot';
    const writesSalesforce = field.sync === 'both' || field.sync === 'hubspot_to_salesforce';
    check('hubspot', hubspot, field.hubspot, writesHubSpot, []);
    for (const [object, name] of Object.entries(field.salesforce) as Array<[SalesforceObject, string]>) {
      const schema = salesforce[object];
      if (schema) check('salesforce', schema, name, writesSalesforce, []);
    }
  }
  const stages = [...mapping.lifecycle.ordered, ...mapping.lifecycle.exits];
  const byField = (markers: Array<{ field: string; value: string }>) => {
    const grouped = new Map<string, string[]>();
    for (const m of markers) grouped.set(m.field, [...(grouped.get(m.field) ?? []), m.value]);
    return grouped;
  };
  for (const [field, values] of byField(stages.flatMap((s) => [...s.hubspot, ...s.onLeave.hubspot]))) {
    check('hubspot', hubspot, field, true, values);
  }
  for (const object of mapping.salesforceObjects) {
    const schema = salesforce[object];
    if (!schema) continue;
    const markers = stages
      .flatMap((s) => [...s.salesforce, ...s.onLeave.salesforce])
      .filter((m) => !m.object || m.object === object);
    for (const [field, values] of byField(markers)) check('salesforce', schema, field, true, values);
    check('salesforce', schema, mapping.identity.salesforceLinkField, true, []);
  }
  for (const property of Object.values(mapping.identity.hubspotLinkProperty))
    check('hubspot', hubspot, property, true, []);
  return problems;
}
