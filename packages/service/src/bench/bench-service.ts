/**
 * The service as the benchmark runs it, in a child process of its own so that the load
 * generator does not share its event loop: the real application (every feature module, the
 * platform's body parser, auth guard, command guard and error filter) plus one endpoint that does
 * nothing, `POST /bench/noop`, which goes through the same pipeline and is the framework's
 * ceiling. `GET /bench/loop-delay` reports how long the event loop was blocked since the last
 * call, and `GET /bench/machine` what it runs on (for a benchmark driven from another machine).
 * Prints `bench-service listening <port>` once it accepts requests.
 */
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { Public } from '../auth/auth.guard';
import { FEATURE_MODULES } from '../app.module';
import { SupportModule } from '../support.module';
import { createService } from '../bootstrap';
import { describeMachine } from './machine';

// How long the event loop was blocked: a long synchronous stretch delays every request behind it.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

@Controller('bench')
class NoopController {
  /** Event-loop delay since the previous call (ms), then starts afresh. */
  @Public()
  @Get('loop-delay')
  loopDelay(): { p50: number; p99: number; max: number } {
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const result = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    loopDelay.reset();
    return result;
  }

  /** The machine the service runs on, as the benchmark prints it. */
  @Public()
  @Get('machine')
  machine(): { machine: string } {
    return { machine: describeMachine() };
  }

  /** Parses the body, verifies the bearer token, runs the command guard, and answers `{}`. */
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
