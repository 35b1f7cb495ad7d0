/**
 * The `lockstep` command line (DESIGN.md §3). Exit codes: 0 ok, 1 runtime failure, 2 bad usage or
 * invalid configuration.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env.js';
import { MappingError } from '../mapping/mapping-error.js';
import { deadLettersCommand } from './dead-letters.js';
import { runCommand } from './run.js';
import { sandboxCommand } from './sandbox.js';
import { UsageError } from './usage-error.js';
import { validateCommand } from './validate.js';

const program = new Command()
  .name('lockstep')
  .description('Keeps Salesforce and HubSpot in lockstep on one shared lead-lifecycle vocabulary.')
  .exitOverride()
  .showHelpAfterError();

program
  .command('sandbox')
  .description(
    'start simulated Salesforce and HubSpot APIs on loopback, seed demo people, run the daemon and narrate each sync',
  )
  .option('--people <n>', 'how many demo people to seed', '36')
  .option('--duration <seconds>', 'stop after this many seconds (default: run until Ctrl-C)')
  .action(async (opts: { people: string; duration?: string }) => sandboxCommand(opts));

program
  .command('run')
  .description(
    'run the daemon against real orgs: capture, workers and the HTTP server (/healthz, /readyz, /metrics)',
  )
  .action(async () => runCommand());

program
  .command('validate')
  .description('check the mapping files (schema, references, value maps); exit 2 when invalid')
  .option(
    '--live',
    'also check them against both systems’ schemas (fields exist, writable, picklist values valid)',
  )
  .action(async (opts: { live?: boolean }) => validateCommand(opts));

const deadLetters = program.command('dead-letters').description('inspect and replay failed records');
deadLetters
  .command('list')
  .description('list dead letters with their reasons')
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'print JSON')
  .action(async (opts: { limit: string; json?: boolean }) => deadLettersCommand('list', undefined, opts));
deadLetters
  .command('retry')
  .description('put one dead letter (or all) back on its queue')
  .argument('[id]', 'dead letter id as printed by list')
  .option('--all', 'retry every dead letter')
  .action(async (id: string | undefined, opts: { all?: boolean }) => deadLettersCommand('retry', id, opts));
deadLetters
  .command('drop')
  .description('delete one dead letter')
  .argument('<id>', 'dead letter id as printed by list')
  .action(async (id: string) => deadLettersCommand('drop', id, {}));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof MappingError || error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  process.stderr.write(`lockstep: ${(error as Error).message ?? String(error)}\n`);
  return 1;
}
