import { createHubSpotConnector } from '../../connectors/hubspot/index.js';
import { createSalesforceConnector } from '../../connectors/salesforce/index.js';
import { type LockstepConfig, readConfig, requireConnectorSettings } from '../config/env.js';
import { openGate } from '../connector/request-gate.js';
import type { SalesforceObject } from '../mapping/compile.js';
import { checkAgainstSchemas } from '../mapping/live-check.js';
import { loadMappings } from '../mapping/load.js';
import { MappingError } from '../mapping/mapping-error.js';

export async function validateCommand(opts: { live?: boolean }): Promise<void> {
  const config = readConfig();
  const dir = config.env.LOCKSTEP_MAPPINGS_DIR;
  const mapping = await loadMappings(dir); // throws MappingError → exit 2 with every problem listed
  const stages = [
    ...mapping.lifecycle.ordered.map((s) => s.name),
    ...mapping.lifecycle.exits.map((s) => `(${s.name})`),
  ];
  process.stdout.write(
    `mappings in ${dir} are valid: ${mapping.fields.length} field pairs; stages ${stages.join(' → ')}\n`,
  );
  if (!opts.live) return;
  await validateLive(config, mapping);
}

async function validateLive(
  config: LockstepConfig,
  mapping: Awaited<ReturnType<typeof loadMappings>>,
): Promise<void> {
  requireConnectorSettings(config, 'lockstep validate --live');
  const hubspot = createHubSpotConnector(config.hubspot, { gate: openGate });
  const salesforce = createSalesforceConnector(config.salesforce, { gate: openGate });
  try {
    const hubspotSchema = await hubspot.describe(mapping.hubspotObject);
    const salesforceSchemas: Partial<
      Record<SalesforceObject, Awaited<ReturnType<typeof salesforce.describe>>>
    > = {};
    for (const object of mapping.salesforceObjects)
      salesforceSchemas[object] = await salesforce.describe(object);
    const problems = checkAgainstSchemas(mapping, hubspotSchema, salesforceSchemas);
    if (problems.length > 0) {
      throw new MappingError(
        problems.map((p) => ({
          file: `${p.system} ${p.object}`,
          line: undefined,
          path: p.field,
          message: p.message,
        })),
      );
    }
    process.stdout.write(
      'mappings match both live schemas: every field exists, is writable where written, and every stage value is allowed\n',
    );
  } finally {
    await salesforce.close();
  }
}
