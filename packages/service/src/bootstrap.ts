import type { AddressInfo } from 'node:net';
import { Logger as NestLogger, type DynamicModule, type LoggerService, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { isLoopbackHost, loadConfig, resolveTokenKey, type ResolvedTokenKey, type ServiceConfig } from './config/service-config';
import { setupApiDocs } from './http/api-docs';
import { useJsonBodies } from './platform/body-parsing';
import { openStorage } from './platform/storage';

export interface CreateServiceOptions {
  /** Environment to configure from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Replaces the app module's feature list. */
  readonly features?: readonly (Type | DynamicModule)[];
  readonly providers?: readonly Provider[];
  /** Install SIGTERM/SIGINT handlers that shut the service down cleanly (the real process does). */
  readonly shutdownHooks?: boolean;
}

export interface RunningService {
  readonly app: NestExpressApplication;
  readonly config: ServiceConfig;
  readonly tokenKey: ResolvedTokenKey;
  /** The port actually bound (differs from `config.port` when that is 0). */
  readonly port: number;
  /** A URL this machine reaches the service at: the bound address, or `127.0.0.1` when it listens on every interface. */
  readonly url: string;
  /** The address actually bound (`127.0.0.1` by default, `0.0.0.0` or `::` for every interface). */
  readonly address: string;
  close(): Promise<void>;
}

/** Start-up hint printed by the service and shown in the README. */
export const TOKEN_HINT = 'npx support-sla token --role agent --user u1 --org acme';

/**
 * Configures, opens storage, boots Nest and listens. Throws `ConfigError` for bad settings and
 * `EventStoreUnavailableError` when the store cannot be opened.
 */
export async function createService(options: CreateServiceOptions = {}): Promise<RunningService> {
  const config = loadConfig(options.env ?? process.env, options.cwd);
  const tokenKey = resolveTokenKey(config);
  const storage = await openStorage(config);
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, storage, tokenKey: tokenKey.key, features: options.features, providers: options.providers }),
      { bodyParser: false, bufferLogs: true, abortOnError: false },
    );
    app.useLogger(new QuietStartupLogger(app.get(Logger)));
    const logger = new NestLogger('bootstrap');
    app.disable('x-powered-by');
    useJsonBodies(app, config.maxBodyBytes);
    if (options.shutdownHooks) app.enableShutdownHooks();

    setupApiDocs(app);

    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address() as AddressInfo;
    // Log where it really listens: every interface is said as such, with a loopback URL to try.
    const everyInterface = address.address === '0.0.0.0' || address.address === '::';
    const bracketed = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);
    const url = `http://${everyInterface ? '127.0.0.1' : bracketed(address.address)}:${address.port}`;
    const listening = everyInterface
      ? `support-sla listening on every interface (${bracketed(address.address)}:${address.port}): ${url} from this machine, API docs at ${url}/docs`
      : `support-sla listening on ${url} (API docs at ${url}/docs)`;

    logger.log({ event: 'storage', eventStore: config.eventStore, dbFile: config.dbFile }, `data: ${storage.description}`);
    if (tokenKey.source === 'generated') {
      logger.warn({ event: 'token-key', source: tokenKey.source, file: tokenKey.file }, `no SUPPORT_SLA_TOKEN_KEY set: generated a development key in ${tokenKey.file} (set SUPPORT_SLA_TOKEN_KEY in production)`);
    } else {
      logger.log({ event: 'token-key', source: tokenKey.source, file: tokenKey.file }, `token key from ${tokenKey.source === 'environment' ? 'SUPPORT_SLA_TOKEN_KEY' : tokenKey.file}`);
    }
    if (!isLoopbackHost(address.address) && tokenKey.source !== 'environment') {
      logger.warn(
        { event: 'open-with-development-key', host: config.host, address: address.address, file: tokenKey.file },
        `HOST=${config.host} lets other machines reach this service, whose tokens are signed with the development key in ${tokenKey.file}: set SUPPORT_SLA_TOKEN_KEY (NODE_ENV=production requires it) or leave HOST unset (loopback only)`,
      );
    }
    logger.log({ event: 'token-hint' }, `get a token with: ${TOKEN_HINT} (then send "Authorization: Bearer <token>")`);
    logger.log({ event: 'listening', address: address.address, port: address.port, url, docs: `${url}/docs` }, listening);

    const running = app;
    return { app: running, config, tokenKey, port: address.port, url, address: address.address, close: () => running.close() };
  } catch (error) {
    if (app) await app.close().catch(() => undefined);
    else await storage.close().catch(() => undefined);
    throw error;
  }
}

/** Nest's start-up chatter: one line per module and per route (about 45), useful only when debugging routing. */
const STARTUP_CONTEXTS: ReadonlySet<string> = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The application logger, with Nest's own start-up lines (`Mapped {/tickets, POST} route`, …)
 * moved from info to debug, so the default log starts with what an operator needs: where the
 * data is, which token key, and where it listens. `LOG_LEVEL=debug` shows them again.
 */
class QuietStartupLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) this.inner.debug?.(message, ...optionalParams);
    else this.inner.log(message, ...optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug?.(message, ...optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose?.(message, ...optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...optionalParams);
  }
}
