import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { SlaPolicy } from '@support-sla/domain';
import { auditTimeline, canonicalJson, readModelsProjection, ticketAsOf, type AsOfReading } from '@support-sla/projections';
import { renderComplianceReport, reportPeriod } from '../../application/report-rendering';
import { STREAM_PREFIXES } from '../../event-store/streams';
import { eventHash } from '../../hash-chain';
import { AuditUsageError, oneLine, TAMPERED_EXIT_CODE, USAGE_EXIT_CODE } from './errors';
import { asOfText, historyTable, verifyText } from './format';
import { replayProgress, type ProgressStream } from './progress';
import { decodePolicyFile, enveloped, knownPolicies, parseInstant, ticketEvents } from './replay';
import type { AuditRecord, AuditSource } from './source/audit-source';
import { openAuditSource, type SourceOptions } from './source/open-source';
import { readSealEvidence, SealCheck } from './seal-check';
import { LogVerifier, type Finding, type HashOf } from './verify';
import { SEAL_STREAM } from '../../seals/seal';

/**
 * What the audit commands touch outside themselves; every field has a process default. The
 * `support-sla` program's `CliIo` fits as is, so `registerAuditCommands` is a command group.
 */
export interface AuditDeps {
  readonly stdout?: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Errors and the progress bar (drawn only when this is a terminal). */
  readonly stderr?: ProgressStream;
  readonly env?: NodeJS.ProcessEnv;
  /** Directory that relative `--db` and `SUPPORT_SLA_DB` paths are relative to (default: the process's). */
  readonly cwd?: string;
  /**
   * Recomputes an event's hash (default: the service's own rule, `hash-chain/eventHash`: a
   * verification can only be trusted if it recomputes exactly what the writer sealed).
   */
  readonly hashOf?: HashOf;
  /** Opens the source (default: read-only SQLite or EventStoreDB per options and environment). */
  readonly openSource?: (options: SourceOptions, env: NodeJS.ProcessEnv, cwd: string) => AuditSource;
}

interface CommonOptions extends SourceOptions {
  readonly quiet?: boolean;
}

const withSource = (command: Command): Command =>
  command
    .option('--db <file>', 'SQLite event store file (default: $SUPPORT_SLA_DB or ./data/support-sla.sqlite)')
    .option('--esdb <connection-string>', 'EventStoreDB connection string, e.g. esdb://localhost:2113?tls=false')
    .option('-q, --quiet', 'no progress bar');

/** The exit status travels in a CommanderError, which the `support-sla` program turns into the process's exit code. */
const exitWith = (code: number, message: string): never => {
  throw new CommanderError(code, code === TAMPERED_EXIT_CODE ? 'support-sla.audit.tampered' : 'support-sla.audit.failed', message);
};

/**
 * Adds `audit history|as-of|verify|report` to a `support-sla` command line. Every command only
 * reads: SQLite files are opened read-only, EventStoreDB is only read. Nest is never booted.
 * Results go to standard output; errors are one line on standard error. A failure rejects
 * `program.parseAsync()` with a `CommanderError` whose `exitCode` is 2 (could not run) or 1
 * (`audit verify` found the log altered); its message has already been printed.
 */
export function registerAuditCommands(program: Command, deps: AuditDeps = {}): Command {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const hashOf = deps.hashOf ?? eventHash;
  const open = deps.openSource ?? openAuditSource;

  // Parse errors (missing argument, unknown option, bad choice) are usage errors too: exit 2.
  const onParseError = (error: CommanderError): never => {
    throw error.exitCode === 0 ? error : new CommanderError(USAGE_EXIT_CODE, error.code, error.message);
  };
  const configure = (command: Command): Command =>
    command
      .exitOverride(onParseError)
      .configureOutput({ writeOut: (s) => void stdout.write(s), writeErr: (s) => void stderr.write(s) });

  /** Runs one command: opens the source, reports any failure as one line, always closes. */
  const run =
    <O extends CommonOptions, A extends unknown[]>(body: (source: AuditSource, options: O, ...args: A) => Promise<number>) =>
    async (...args: [...A, O, Command]): Promise<void> => {
      const options = args[args.length - 2] as O;
      const positional = args.slice(0, -2) as A;
      let source: AuditSource | undefined;
      let code: number;
      try {
        source = open(options, env, cwd);
        code = await body(source, options, ...positional);
      } catch (error) {
        const message = `support-sla audit: ${oneLine(error)}`;
        stderr.write(`${message}\n`);
        return exitWith(USAGE_EXIT_CODE, message);
      } finally {
        await source?.close().catch(() => undefined);
      }
      if (code !== 0) exitWith(code, 'support-sla audit: the log is not intact');
    };

  // A view of an altered stream is still the log's own story; the auditor must be told it was altered.
  const warnIfAltered = (finding: Finding | null): void => {
    if (finding === null) return;
    stderr.write(
      `support-sla audit: warning: ${finding.kind} event in stream ${finding.streamId ?? '?'} at revision ${finding.revision ?? '?'} (${finding.detail}); the output shows the events as stored — run audit verify\n`,
    );
  };

  const audit = configure(program.command('audit'))
    .description('re-derive what the service claims from the events alone (read-only)');

  withSource(configure(audit.command('history')))
    .description("a ticket's timeline: both timestamps, the actor and the SLA state after each event")
    .argument('<ticket>', 'ticket id or ticket number (e.g. SS-000042)')
    .option('--json', 'print JSON instead of a table')
    .action(
      run(async (source, options: CommonOptions & { json?: boolean }, ticket: string) => {
        const [{ ticketId, events, integrity }, policies] = await Promise.all([ticketEvents(source, ticket, hashOf), knownPolicies(source)]);
        warnIfAltered(integrity);
        const timeline = auditTimeline(ticketId, events, { policies });
        stdout.write(options.json === true ? `${canonicalJson(timeline, 2)}\n` : historyTable(timeline));
        return 0;
      }),
    );

  withSource(configure(audit.command('as-of')))
    .description("a ticket's state and SLA clocks at a past instant, under the policy version it pinned")
    .argument('<ticket>', 'ticket id or ticket number')
    .argument('<instant>', 'ISO-8601 instant with an offset, e.g. 2026-03-10T09:00:00-04:00')
    .addOption(
      new Option('--reading <reading>', 'occurred: what had happened by then; recorded: what the system knew by then')
        .choices(['occurred', 'recorded'])
        .default('occurred'),
    )
    .option('--json', 'print JSON')
    .action(
      run(async (source, options: CommonOptions & { json?: boolean; reading: AsOfReading }, ticket: string, at: string) => {
        const instant = parseInstant(at, 'the instant');
        const [{ ticketId, events, integrity }, policies] = await Promise.all([ticketEvents(source, ticket, hashOf), knownPolicies(source)]);
        warnIfAltered(integrity);
        const view = ticketAsOf(ticketId, events, { at: instant, reading: options.reading, policies });
        stdout.write(options.json === true ? `${canonicalJson(view, 2)}\n` : asOfText(view, ticket));
        return 0;
      }),
    );

  withSource(configure(audit.command('verify')))
    .description('walk every stream, recompute the hash chain and revision sequence; with --seal, also prove nothing up to the seal was removed or rewritten; exit 0 only when intact')
    .option('--json', 'print JSON')
    .option('--seal <file>', "a seal file the service wrote (SEAL_FILE), or a saved copy of its standard output; repeat for several replicas' files", collect, [])
    .option('--seal-public-key <key>', "trust only seals signed by this Ed25519 public key (a PEM file, or the base64 key a seal carries); repeatable", collect, [])
    .action(
      run(async (source, options: CommonOptions & { json?: boolean; seal: string[]; sealPublicKey: string[] }) => {
        if (options.sealPublicKey.length > 0 && options.seal.length === 0) throw new AuditUsageError('--seal-public-key needs --seal <file>');
        // Read before the log: a seal file that cannot be read stops the command before a long walk.
        const sealCheck =
          options.seal.length === 0 ? undefined : new SealCheck(readSealEvidence(options.seal, options.sealPublicKey, cwd), await source.readStream(SEAL_STREAM));
        const verifier = new LogVerifier(hashOf, source.densePositions);
        await walkLog(source, 'verifying', options.quiet === true, stderr, (record) => {
          verifier.add(record);
          sealCheck?.add(record);
        });
        verifier.addMissingTail(await source.missingTail());
        const result = verifier.result(sealCheck?.result());
        stdout.write(options.json === true ? `${canonicalJson(result, 2)}\n` : verifyText(result, source.description));
        return result.intact ? 0 : TAMPERED_EXIT_CODE;
      }),
    );

  withSource(configure(audit.command('report')))
    .description('the compliance report for tickets received in [from, to), re-derived from the events')
    .requiredOption('--from <instant>', 'start of the period (inclusive), ISO-8601 with an offset')
    .requiredOption('--to <instant>', 'end of the period (exclusive), ISO-8601 with an offset')
    .option('--as-of <instant>', 'judge every clock at this instant (default: the earlier of --to and now)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--policy <file-or-version>', 'what-if: also measure the period under this policy (a JSON policy file, or a published version number)')
    .action(
      run(async (source, options: CommonOptions & { from: string; to: string; asOf?: string; format: 'json' | 'csv'; policy?: string }) => {
        // As the service: judged at --as-of, else the earlier of --to and now (only what has happened).
        const period = reportPeriod(
          parseInstant(options.from, '--from'),
          parseInstant(options.to, '--to'),
          options.asOf === undefined ? undefined : parseInstant(options.asOf, '--as-of'),
          Date.now(),
        );
        // As the service: an empty or reversed period is a mistake, not an empty report.
        if (Date.parse(period.to) <= Date.parse(period.from)) throw new AuditUsageError(`--to (${period.to}) must be after --from (${period.from})`);
        const whatIf = options.policy === undefined ? undefined : readPolicyOption(options.policy, cwd);
        const models = await replayReadModels(source, options.quiet === true, stderr);
        if (typeof whatIf === 'number' && !models.policies.versions.some((p) => p.version === whatIf)) {
          throw new AuditUsageError(`policy version ${whatIf} was never published (known: ${models.policies.versions.map((p) => p.version).join(', ')})`);
        }
        const body = renderComplianceReport(models, period, options.format, whatIf);
        // The body exactly as GET /reports/compliance sends it, so the two compare byte for byte;
        // a terminal also gets a final newline.
        stdout.write(stdout.isTTY === true && !body.endsWith('\n') ? `${body}\n` : body);
        return 0;
      }),
    );

  return audit;
}

/** Commander's collector for a repeatable option. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--policy`: a version number already published, or a JSON policy file. */
function readPolicyOption(value: string, cwd: string): SlaPolicy | number {
  if (/^[1-9][0-9]*$/.test(value)) return Number(value);
  let text: string;
  try {
    text = readFileSync(resolve(cwd, value), 'utf8');
  } catch (error) {
    throw new AuditUsageError(`cannot read policy file ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return decodePolicyFile(text, value);
}

/** The service's read models, rebuilt from the whole log exactly as its projection runner feeds them. */
async function replayReadModels(source: AuditSource, quiet: boolean, stderr: ProgressStream) {
  const projection = readModelsProjection();
  let models = projection.initialState();
  await walkLog(source, 'replaying', quiet, stderr, (record) => {
    if (!STREAM_PREFIXES.some((p) => record.streamId.startsWith(p))) return;
    const { event, envelope } = enveloped(record);
    models = projection.evolve(models, event, envelope);
  });
  return models;
}

/** Reads the whole log in global order, handing each record to `each`, with a progress bar on standard error. */
async function walkLog(source: AuditSource, label: string, quiet: boolean, stderr: ProgressStream, each: (record: AuditRecord) => void): Promise<void> {
  const scale = await source.progressScale();
  const progress = replayProgress({ label, total: scale.total, quiet, stream: stderr });
  try {
    for await (const record of source.readAll()) {
      each(record);
      progress.tick(scale.unitsAt(record.position));
    }
  } finally {
    progress.stop();
  }
}
