import { fileURLToPath } from 'node:url';
import { loadMappings } from '../../src/mapping/load.js';

export const defaultMappingsDir = fileURLToPath(new URL('../../mappings', import.meta.url));

export const loadDefaultMappings = () => loadMappings(defaultMappingsDir);
