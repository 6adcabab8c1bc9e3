import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/service-config';
import type { CliIo } from './cli-io';
import { registerAuditCommands } from './audit';
import { registerTokenCommand } from './token.command';

/**
 * ===== COMMAND GROUPS =====
 * Each registers its sub-commands on the `support-sla` program. `audit …` plugs in here.
 */
export const COMMAND_GROUPS: readonly ((program: Command, io: CliIo) => unknown)[] = [registerTokenCommand, registerAuditCommands];

/** The `support-sla` program, with errors reported as one line and a non-zero exit code instead of a stack. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('support-sla')
    .description('support-sla command line')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .showSuggestionAfterError();
  for (const register of COMMAND_GROUPS) register(program, io);
  // Sub-commands inherit the overrides only when created after them, so set them on each too.
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its one-line message (or the help text).
      return error.exitCode === 0 ? 0 : error.exitCode || 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`support-sla: ${error.problems.join('; ')}\n`);
      return 2;
    }
    io.stderr.write(`support-sla: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
