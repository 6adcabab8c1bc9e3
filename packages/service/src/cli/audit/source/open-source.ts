import { resolve } from 'node:path';
import { createEsdbEventStore } from '../../../event-store/esdb/esdb.event-store';
import { AuditUsageError } from '../errors';
import type { AuditSource } from './audit-source';
import { EventStoreAuditSource } from './event-store.source';
import { openSqliteAuditSource } from './sqlite-readonly.source';

/** Where the events are: the options every audit command takes. */
export interface SourceOptions {
  readonly db?: string;
  readonly esdb?: string;
}

/** The SQLite file the service uses when `SUPPORT_SLA_DB` is not set. */
export const DEFAULT_SQLITE_FILE = './data/support-sla.sqlite';

/**
 * Picks the source: `--esdb` or `--db` when given (not both); otherwise the same store the
 * service would use with this environment (`EVENT_STORE=esdb` with `ESDB_CONNECTION_STRING`,
 * else the SQLite file `SUPPORT_SLA_DB`, else {@link DEFAULT_SQLITE_FILE}).
 */
export function openAuditSource(options: SourceOptions, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): AuditSource {
  if (options.db !== undefined && options.esdb !== undefined) throw new AuditUsageError('give either --db or --esdb, not both');
  if (options.esdb !== undefined) return openEsdb(options.esdb);
  if (options.db !== undefined) return openSqliteAuditSource(resolve(cwd, options.db));
  const kind = (env['EVENT_STORE'] ?? '').toLowerCase();
  if (kind === 'esdb') {
    const connection = env['ESDB_CONNECTION_STRING'];
    if (connection === undefined || connection === '') throw new AuditUsageError('EVENT_STORE=esdb but ESDB_CONNECTION_STRING is not set');
    return openEsdb(connection);
  }
  if (kind === 'memory') throw new AuditUsageError('EVENT_STORE=memory keeps events inside the service process; give --db or --esdb');
  const file = env['SUPPORT_SLA_DB'];
  return openSqliteAuditSource(resolve(cwd, file === undefined || file === '' ? DEFAULT_SQLITE_FILE : file));
}

function openEsdb(connectionString: string): AuditSource {
  let store;
  try {
    store = createEsdbEventStore(connectionString);
  } catch (error) {
    throw new AuditUsageError(`invalid EventStoreDB connection string: ${(error as Error).message}`);
  }
  return new EventStoreAuditSource(store, `EventStoreDB ${redact(connectionString)}`);
}

/** Credentials in a connection string never reach a message. */
const redact = (connectionString: string): string => connectionString.replace(/\/\/[^@/]*@/, '//***@');
