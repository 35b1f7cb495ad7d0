/** Which vendor fields a sync needs from each system and object, derived from the mappings. Pure. */
import type { MappingConfig, SalesforceObject } from '../mapping/compile.js';

export function hubspotReadFields(mapping: MappingConfig): string[] {
  const names = new Set<string>(['email']);
  for (const field of mapping.fields) if (field.sync !== 'none') names.add(field.hubspot);
  for (const stage of [...mapping.lifecycle.ordered, ...mapping.lifecycle.exits]) {
    for (const marker of [...stage.hubspot, ...stage.onLeave.hubspot]) names.add(marker.field);
  }
  for (const property of Object.values(mapping.identity.hubspotLinkProperty)) names.add(property);
  return [...names];
}

export function salesforceReadFields(mapping: MappingConfig, object: SalesforceObject): string[] {
  const names = new Set<string>(['Email']);
  // Converted leads are read-only in Salesforce; the sync must recognise them.
  if (object === 'Lead') names.add('IsConverted');
  for (const field of mapping.fields) {
    const name = field.salesforce[object];
    if (field.sync !== 'none' && name) names.add(name);
  }
  for (const stage of [...mapping.lifecycle.ordered, ...mapping.lifecycle.exits]) {
    for (const marker of [...stage.salesforce, ...stage.onLeave.salesforce]) {
      if (marker.object === undefined || marker.object === object) names.add(marker.field);
    }
  }
  names.add(mapping.identity.salesforceLinkField);
  return [...names];
}
