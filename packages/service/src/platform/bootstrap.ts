import type { AddressInfo } from 'node:net';
import { Logger as NestLogger, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { loadConfig, resolveTokenKey, type ResolvedTokenKey, type ServiceConfig } from '../config/service-config';
import { setupApiDocs } from '../http/api-docs';
import { useJsonBodies } from './body-parsing';
import { openStorage } from './storage';

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
  /** `http://127.0.0.1:<port>` (or the configured host). */
  readonly url: string;
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
    app.useLogger(app.get(Logger));
    const logger = new NestLogger('bootstrap');
    app.disable('x-powered-by');
    useJsonBodies(app, config.maxBodyBytes);
    if (options.shutdownHooks) app.enableShutdownHooks();

    setupApiDocs(app);

    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

    logger.log({ event: 'storage', eventStore: config.eventStore, dbFile: config.dbFile }, `data: ${storage.description}`);
    if (tokenKey.source === 'generated') {
      logger.warn({ event: 'token-key', source: tokenKey.source, file: tokenKey.file }, `no SUPPORT_SLA_TOKEN_KEY set: generated a development key in ${tokenKey.file} (set SUPPORT_SLA_TOKEN_KEY in production)`);
    } else {
      logger.log({ event: 'token-key', source: tokenKey.source, file: tokenKey.file }, `token key from ${tokenKey.source === 'environment' ? 'SUPPORT_SLA_TOKEN_KEY' : tokenKey.file}`);
    }
    logger.log({ event: 'token-hint' }, `get a token with: ${TOKEN_HINT} (then send "Authorization: Bearer <token>")`);
    logger.log({ event: 'listening', port: address.port, url, docs: `${url}/docs` }, `support-sla listening on ${url} (API docs at ${url}/docs)`);

    const running = app;
    return { app: running, config, tokenKey, port: address.port, url, close: () => running.close() };
  } catch (error) {
    if (app) await app.close().catch(() => undefined);
    else await storage.close().catch(() => undefined);
    throw error;
  }
}
