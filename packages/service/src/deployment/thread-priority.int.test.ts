import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { onLinux } from '../testing/threads';

// Threads run JavaScript: the child process uses the compiled helper that `tsc -b` writes to dist/.
const COMPILED = resolve(__dirname, '..', '..', 'dist', 'deployment', 'thread-priority.js');

/**
 * Runs a fresh Node process whose worker thread lowers its own priority and then uses libuv's
 * thread pool; the main thread starts the pool first when `startPoolFirst`. Returns how many
 * threads of that process ended up at the lowered priority.
 */
const loweredThreads = (startPoolFirst: boolean): number => {
  const script = `
    const { Worker } = require('node:worker_threads');
    const { readdirSync, readFileSync } = require('node:fs');
    const priority = require(${JSON.stringify(COMPILED)});
    (async () => {
      if (${startPoolFirst}) await priority.startThreadPool();
      const worker = new Worker(\`
        const { parentPort, workerData } = require('node:worker_threads');
        const priority = require(workerData);
        priority.lowerThisThreadPriority();
        require('node:fs').promises.access(__filename).catch(() => undefined).then(() => parentPort.postMessage('used the pool'));
        parentPort.once('message', () => parentPort.close());
      \`, { eval: true, workerData: ${JSON.stringify(COMPILED)} });
      await new Promise((done) => worker.once('message', done));
      const lowered = readdirSync('/proc/self/task').filter((tid) => {
        const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === priority.BACKGROUND_NICE;
      }).length;
      worker.postMessage('end');
      process.stdout.write(String(lowered));
    })();
  `;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, UV_THREADPOOL_SIZE: '4' } }));
};

const linuxOnly = onLinux('thread priority');

beforeAll(() => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} does not exist: run "npx tsc -b packages/service" first`);
});

linuxOnly('a thread that lowers its priority lowers only itself when the main thread has started the thread pool', () => {
  expect(loweredThreads(true)).toBe(1);
});

linuxOnly('without that, the pool started by the lowered thread would run at its priority too (why the service starts it first)', () => {
  // The worker's own thread and the 4 threads of the pool it started.
  expect(loweredThreads(false)).toBe(5);
});
