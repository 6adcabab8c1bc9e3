import { execFile } from 'node:child_process';
import path from 'node:path';

/** The full `support-sla` command line, built by `tsc -b` (`npm test` builds first). */
export const CLI_ENTRY = path.resolve(__dirname, '../../../../dist/cli/main.js');

/** The built audit module (what `registerAuditCommands` pulls in at run time). */
export const AUDIT_MODULE = path.resolve(__dirname, '../../../../dist/cli/audit/index.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `support-sla <args>` as a child process. Asynchronous on purpose: the EventStoreDB test
 * server runs inside the test process and must keep answering while the child reads from it.
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_ENTRY, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
