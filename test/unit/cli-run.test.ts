/** `lockstep run` and the Redis commands refuse to start on bad settings, with the exit codes of DESIGN.md §3. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultMappingsDir } from '../helpers/mapping.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** No credentials leak in from the developer's shell: every connector variable starts blank. */
const BLANK = Object.fromEntries(
  [
    'HUBSPOT_ACCESS_TOKEN',
    'HUBSPOT_BASE_URL',
    'SALESFORCE_INSTANCE_URL',
    'SALESFORCE_ACCESS_TOKEN',
    'SALESFORCE_LOGIN_URL',
    'SALESFORCE_CLIENT_ID',
    'SALESFORCE_CLIENT_SECRET',
    'SALESFORCE_REFRESH_TOKEN',
    'SALESFORCE_USERNAME',
    'SALESFORCE_PASSWORD',
    'SALESFORCE_JWT_KEY_FILE',
  ].map((name) => [name, '']),
);

function lockstep(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
      {
        cwd: root,
        env: { ...process.env, ...BLANK, LOCKSTEP_MAPPINGS_DIR: defaultMappingsDir, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const session = {
  HUBSPOT_ACCESS_TOKEN: 'pat-na1-test',
  SALESFORCE_INSTANCE_URL: 'https://example.my.salesforce.com',
  SALESFORCE_ACCESS_TOKEN: '00D000000000000!token',
};

describe('lockstep run', () => {
  it('exits 2 naming the variable when the Salesforce settings do not fit together', async () => {
    const result = await lockstep(['run'], {
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-test',
      SALESFORCE_CLIENT_ID: 'consumer-key',
      SALESFORCE_USERNAME: 'integration@example.com',
      SALESFORCE_PASSWORD: 'secret',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'SALESFORCE_CLIENT_SECRET: required for the OAuth username-password flow',
    );
    expect(result.stderr).not.toContain('secret\n');
  });

  it('exits 2 on a malformed HUBSPOT_BASE_URL', async () => {
    const result = await lockstep(['run'], { ...session, HUBSPOT_BASE_URL: 'api.hubapi.com' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HUBSPOT_BASE_URL');
  });

  it('exits 1 at once, naming REDIS_URL without its password, when Redis does not answer', async () => {
    const started = Date.now();
    const result = await lockstep(['run'], { ...session, REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Redis at redis://:***@127.0.0.1:1 does not answer');
    expect(result.stderr).not.toContain('hunter2');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('lockstep dead-letters', () => {
  it('exits 1 instead of hanging when Redis does not answer', async () => {
    const result = await lockstep(['dead-letters', 'list'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not answer');
  });
});
