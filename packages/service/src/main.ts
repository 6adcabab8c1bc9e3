import 'reflect-metadata';
import { ConfigError } from './config/service-config';
import { createService } from './bootstrap';

/** `npm start` / `node packages/service/dist/main.js`: the service, configured from the environment. */
async function main(): Promise<void> {
  try {
    await createService({ shutdownHooks: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`support-sla: ${error.message}\n`);
    } else {
      process.stderr.write(`support-sla: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}

void main();
