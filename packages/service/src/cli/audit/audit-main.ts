#!/usr/bin/env node
/**
 * A `support-sla` command line with only the audit commands, for running them without the
 * rest of the CLI (`cli/main.ts` registers the same commands). Never boots Nest.
 */
import { Command, CommanderError } from 'commander';
import { oneLine, USAGE_EXIT_CODE } from './errors';
import { registerAuditCommands } from './index';

const program = new Command('support-sla').description('support-sla command line (audit commands only)').exitOverride();
registerAuditCommands(program);
program.parseAsync(process.argv).then(
  () => undefined,
  (error: unknown) => {
    // Commander and the audit commands have printed their one-line message already.
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`support-sla: ${oneLine(error)}\n`);
    process.exitCode = USAGE_EXIT_CODE;
  },
);
