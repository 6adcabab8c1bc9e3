import { Controller, HttpCode, Inject, Logger, Module, Post, ServiceUnavailableException, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock } from '../application/clock';
import { Roles } from '../auth/auth.guard';
import type { ServiceConfig } from '../config/service-config';
import type { EventStore } from '../event-store/event-store.port';
import { SupportModule } from '../support.module';
import { ApiCommand, ApiStandardErrors } from '../http/api-responses';
import { SealAnswer } from '../http/responses/seal.responses';
import { Scope, type RequestScope } from '../http/request-context';
import { EVENT_STORE, SERVICE_CONFIG } from '../platform/tokens';
import { LogSealer, type MadeSeal } from './log-sealer';
import { positionText, sealId } from './seal';
import { resolveSealKey, type SealKey } from './seal-key';
import { fileSink, stdoutSink, webhookSink, type SealSink } from './seal-sinks';
import { readSealsConfig, type SealsConfig } from './seals.config';

/** Provider token of the module's {@link SealsConfig}. */
export const SEALS_CONFIG = Symbol('SEALS_CONFIG');

/** Builds the sealer the module runs: the service's store and clock, the configured key and copies. */
export function createLogSealer(store: EventStore, config: SealsConfig, clock: () => Date, logger: Logger): LogSealer {
  let key: SealKey | undefined;
  const sinks: SealSink[] = [fileSink(config.file)];
  if (config.stdout) sinks.push(stdoutSink());
  if (config.webhookUrl !== undefined) sinks.push(webhookSink(config.webhookUrl));
  return new LogSealer({
    store,
    clock,
    sinks,
    key: () => {
      if (key === undefined) {
        key = resolveSealKey(config);
        const where = key.source === 'environment' ? 'SUPPORT_SLA_SEAL_KEY' : key.file;
        const message = `seals are signed with Ed25519 key ${key.keyId} (${key.source === 'generated' ? 'generated in' : 'from'} ${where}); public key ${key.publicKey}`;
        const fields = { event: 'seal-key', source: key.source, file: key.file, keyId: key.keyId, publicKey: key.publicKey };
        if (key.source === 'generated') logger.warn(fields, `${message} (set SEAL_KEY_FILE or SUPPORT_SLA_SEAL_KEY in production)`);
        else logger.log(fields, message);
      }
      return key;
    },
    onSinkError: (sink, seal, error) =>
      logger.error({ event: 'seal-copy-failed', sink, sequence: seal.sequence, error: error.message }, `seal #${seal.sequence} is in the log but not in its ${sink} copy: ${error.message}`),
  });
}

const summary = (made: MadeSeal) => ({
  sequence: made.seal.sequence,
  sealId: sealId(made.seal),
  sealedAt: made.seal.sealedAt,
  headPosition: made.seal.headPosition,
  streams: made.seal.streams,
  events: made.seal.events,
  digest: made.seal.digest,
  keyId: made.seal.keyId,
  /** The position of the seal's own event in the log. */
  position: positionText(made.position),
  copies: made.sinks,
});

/** Seals every `SEAL_INTERVAL_SECONDS` (not at start-up: a restart adds nothing to seal). */
class SealSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('Seals');

  constructor(
    private readonly sealer: LogSealer,
    private readonly config: SealsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.intervalMs === 0) {
      this.logger.log({ event: 'seals', intervalSeconds: 0 }, 'SEAL_INTERVAL_SECONDS=0: no periodic seal (POST /seals still seals)');
      return;
    }
    this.timer = setInterval(() => void this.tick(), this.config.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      for (const made of await this.sealer.seal()) {
        this.logger.log({ event: 'log-sealed', ...summary(made) }, `log sealed up to position ${made.seal.headPosition ?? '(empty)'} (seal #${made.seal.sequence})`);
      }
    } catch (error) {
      this.logger.error({ event: 'seal-failed', error: (error as Error).message }, `could not seal the log: ${(error as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.sealer.idle().catch(() => undefined);
  }
}

@ApiTags('operations')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('seals')
export class SealsController {
  constructor(@Inject(LogSealer) private readonly sealer: LogSealer) {}

  @Post()
  @HttpCode(201)
  @ApiCommand({ status: 201, description: 'The log was sealed (or the answer replayed): a summary of each seal made, and the last one in full', codec: SealAnswer })
  @ApiOperation({
    summary: 'Seal the log now (admin): a signed seal of every stream head, appended to the log and copied to SEAL_FILE, standard output and SEAL_WEBHOOK_URL',
  })
  @Roles('admin')
  async seal(@Scope() scope: RequestScope) {
    let made: readonly MadeSeal[];
    try {
      made = await this.sealer.seal({
        force: true,
        actor: { id: scope.caller.id, role: scope.caller.role },
        correlationId: scope.context.correlationId,
        causationId: scope.context.causationId,
      });
    } catch (error) {
      if ((error as Error).name === 'SealsConfigError') throw new ServiceUnavailableException((error as Error).message);
      throw error;
    }
    return { seals: made.map(summary), seal: made[made.length - 1]?.seal ?? null };
  }
}

/**
 * Signed seals of the log (see README.md beside this file): periodic, and on demand through
 * `POST /seals`. Configured by its own variables (`SEAL_*`, `SUPPORT_SLA_SEAL_KEY`), read at
 * start-up so a bad value stops the service with the variable named.
 */
@Module({
  imports: [SupportModule],
  controllers: [SealsController],
  providers: [
    { provide: SEALS_CONFIG, useFactory: (config: ServiceConfig) => readSealsConfig(config), inject: [SERVICE_CONFIG] },
    {
      provide: LogSealer,
      useFactory: (store: EventStore, config: SealsConfig, clock: Clock) => createLogSealer(store, config, () => clock.now(), new Logger('Seals')),
      inject: [EVENT_STORE, SEALS_CONFIG, Clock],
    },
    { provide: SealSchedule, useFactory: (sealer: LogSealer, config: SealsConfig) => new SealSchedule(sealer, config), inject: [LogSealer, SEALS_CONFIG] },
  ],
  exports: [LogSealer],
})
export class SealsModule {}
