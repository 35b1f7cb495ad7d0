/**
 * Schema endpoints: the properties API (API-NOTES §2.7) and the deal pipelines API (§2.10), both
 * served from properties-data.ts so they always agree with what the write endpoints accept.
 */
import type { SimRoute } from '../sim-http.js';
import { propertyDef, propertyDefs, propertyToWire } from './properties.js';
import { DEFAULT_PIPELINE } from './properties-data.js';
import { fail, objectTypeOf, unknownObjectType } from './wire.js';

const PIPELINE_DATES = { createdAt: '2019-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };

function pipelineToWire(): Record<string, unknown> {
  return {
    id: DEFAULT_PIPELINE.id,
    label: DEFAULT_PIPELINE.label,
    displayOrder: 0,
    archived: false,
    ...PIPELINE_DATES,
    stages: DEFAULT_PIPELINE.stages.map((stage, i) => ({
      id: stage.id,
      label: stage.label,
      displayOrder: i,
      // Metadata values are strings on the wire, booleans included.
      metadata: { isClosed: String(stage.isClosed), probability: stage.probability },
      archived: false,
      ...PIPELINE_DATES,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
  };
}

export function metaRoutes(): SimRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/crm/v3/properties/:objectType',
      name: 'properties',
      write: false,
      handler: (req) => {
        const objectType = objectTypeOf(req.params.objectType);
        if (!objectType) return unknownObjectType(req.params.objectType);
        return { status: 200, body: { results: propertyDefs(objectType).map(propertyToWire) } };
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/properties/:objectType/:propertyName',
      name: 'properties',
      write: false,
      handler: (req) => {
        const objectType = objectTypeOf(req.params.objectType);
        if (!objectType) return unknownObjectType(req.params.objectType);
        const def = propertyDef(objectType, req.params.propertyName ?? '');
        if (!def) {
          return fail(
            404,
            'OBJECT_NOT_FOUND',
            `Unable to find property ${req.params.propertyName} for ${objectType}`,
          );
        }
        return { status: 200, body: propertyToWire(def) };
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/pipelines/:objectType',
      name: 'pipelines',
      write: false,
      handler: (req) => {
        if (objectTypeOf(req.params.objectType) !== 'deals') return unknownObjectType(req.params.objectType);
        return { status: 200, body: { results: [pipelineToWire()] } };
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/pipelines/:objectType/:pipelineId',
      name: 'pipelines',
      write: false,
      handler: (req) => {
        if (objectTypeOf(req.params.objectType) !== 'deals') return unknownObjectType(req.params.objectType);
        if (req.params.pipelineId !== DEFAULT_PIPELINE.id) {
          return fail(404, 'OBJECT_NOT_FOUND', `Unable to find pipeline ${req.params.pipelineId}`);
        }
        return { status: 200, body: pipelineToWire() };
      },
    },
  ];
}
