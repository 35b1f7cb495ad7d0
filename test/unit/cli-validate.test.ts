/** The `lockstep validate` contract: exit 0 with a summary when valid, exit 2 with file:line, key and fix when not. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mappingFileNames } from '../../src/mapping/load.js';
import { defaultMappingsDir } from '../helpers/mapping.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function lockstep(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('lockstep validate', () => {
  it('exits 0 and summarises valid mappings', async () => {
    const result = await lockstep(['validate'], { LOCKSTEP_MAPPINGS_DIR: defaultMappingsDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('are valid');
    expect(result.stdout).toContain('subscriber → lead → mql → sql → opportunity → customer');
  });

  it('exits 2 naming file, line, key path and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-cli-'));
    for (const name of Object.values(mappingFileNames)) {
      const text = await readFile(join(defaultMappingsDir, name), 'utf8');
      await writeFile(
        join(dir, name),
        name === mappingFileNames.fields
          ? text.replace('sync: hubspot_to_salesforce }', 'sync: sideways }')
          : text,
      );
    }
    const result = await lockstep(['validate'], { LOCKSTEP_MAPPINGS_DIR: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /contact-fields\.yaml:\d+: fields\[\d+\]\.sync: .*allowed: "both", "hubspot_to_salesforce"/,
    );
  });

  it('exits 2 on an unknown command', async () => {
    expect((await lockstep(['frobnicate'], {})).code).toBe(2);
  });
});
