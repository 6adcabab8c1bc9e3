import { Command, InvalidArgumentError, Option } from 'commander';
import { MONITORS, ROLES, type Monitor, type Role } from '@support-sla/domain';
import { TokenService } from '../auth/token.service';
import { loadConfig, readTokenKey, tokenKeyFileFor } from '../config/service-config';
import type { CliIo } from './cli-io';

const nonEmpty =
  (what: string) =>
  (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${what} must not be empty.`);
    return value;
  };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DURATION = /^\d+\s*(ms|s|m|h|d|w|y)?$/;

/**
 * `support-sla token`: prints a bearer token signed with the same key the service uses
 * (SUPPORT_SLA_TOKEN_KEY, or the development key file beside SUPPORT_SLA_DB). It never creates
 * that file: only a starting service does, so a command run with other settings than the
 * service's (another SUPPORT_SLA_DB, another directory) is refused instead of signing with a key
 * the service never reads (which it would answer with 401). It lives 8 hours
 * unless `--expires-in` says otherwise, at most TOKEN_MAX_LIFETIME (30 days by default), the
 * longest the service accepts. A monitor's token names its location (`--monitor chicago`), and
 * reports only for it.
 */
export function registerTokenCommand(program: Command, io: CliIo): Command {
  return program
    .command('token')
    .description('print a signed bearer token for demos and tests')
    .addOption(new Option('--role <role>', 'the caller role').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--user <id>', 'user id (the token subject)', nonEmpty('--user'))
    .requiredOption('--org <org>', 'organization', nonEmpty('--org'))
    .option('--email <address>', 'e-mail address', (value: string) => {
      if (!EMAIL.test(value)) throw new InvalidArgumentError('expected an e-mail address.');
      return value;
    })
    .option('--name <name>', 'display name', nonEmpty('--name'))
    .addOption(new Option('--monitor <location>', 'role monitor only, and required for it: the one location the monitor reports for').choices([...MONITORS]))
    .option('--expires-in <duration>', 'lifetime, e.g. 30m, 8h, 7d', (value: string) => {
      if (!DURATION.test(value)) throw new InvalidArgumentError('expected a duration such as 30m, 8h or 7d.');
      return value;
    }, '8h')
    .action((options: { role: Role; user: string; org: string; email?: string; name?: string; monitor?: Monitor; expiresIn: string }, command: Command) => {
      if (options.role === 'monitor' && options.monitor === undefined) command.error("error: a monitor token needs --monitor <location> (chicago, california or atlanta): it reports for that location only");
      if (options.role !== 'monitor' && options.monitor !== undefined) command.error(`error: --monitor is for --role monitor only (not ${options.role})`);
      const config = loadConfig(io.env, io.cwd);
      const key = readTokenKey(config);
      if (key === undefined) {
        command.error(
          `error: no token key in ${tokenKeyFileFor(config)}: a service started with these settings creates it. ` +
            `Start the service first (npm start), then run this command with the same SUPPORT_SLA_DB as the service ` +
            `(here ${config.dbFile}; a relative path counts from the current directory), or set the same SUPPORT_SLA_TOKEN_KEY for both.`,
          { exitCode: 2, code: 'support-sla.no-token-key' },
        );
      }
      const tokens = new TokenService(key.key, { maxLifetimeSeconds: config.tokenMaxLifetimeSeconds });
      // Claims left undefined are not put in the token.
      const token = tokens.sign(
        { sub: options.user, role: options.role, org: options.org, email: options.email, name: options.name, monitor: options.monitor },
        { expiresIn: /^\d+$/.test(options.expiresIn) ? Number(options.expiresIn) : options.expiresIn },
      );
      io.stdout.write(`${token}\n`);
    });
}
