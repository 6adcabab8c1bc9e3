/**
 * The service as the benchmark runs it, in a child process of its own so that the load
 * generator does not share its event loop: the real application (every feature module, the
 * platform's body parser, auth guard, interceptors and error filter) plus one endpoint that does
 * nothing, `POST /bench/noop`, which goes through the same pipeline and is the framework's
 * ceiling. Prints `bench-service listening <port>` once it accepts requests.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { FEATURE_MODULES } from '../app.module';
import { SupportModule } from '../features/support.module';
import { createService } from '../platform/bootstrap';

@Controller('bench')
class NoopController {
  /** Parses the body, verifies the bearer token, runs the interceptors, and answers `{}`. */
  @Post('noop')
  @HttpCode(201)
  noop(@Body() _body: unknown): Record<string, never> {
    return {};
  }
}

@Module({ controllers: [NoopController] })
class NoopModule {}

async function main(): Promise<void> {
  // BENCH_FEATURES=support leaves the e-mail reactors out, to tell their cost apart.
  const features = process.env.BENCH_FEATURES === 'support' ? [SupportModule] : FEATURE_MODULES;
  const running = await createService({ features: [...features, NoopModule], shutdownHooks: true });
  process.stdout.write(`bench-service listening ${running.port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-service: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
