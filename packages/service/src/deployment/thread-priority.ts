import { readlinkSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { setPriority } from 'node:os';
import type { Worker } from 'node:worker_threads';

/** The nice value of the service's background threads (0 is the default, 19 the lowest priority). */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the scheduling priority of the calling thread (not the process), for threads whose work
 * can wait a few milliseconds, such as the notifications worker. On a machine with few cores
 * they otherwise take turns with the event loop that serves requests, which then waits for a
 * core with requests queued behind it. Linux only, where the nice value is a
 * property of each thread and `/proc/thread-self` names the calling one; elsewhere, or if the
 * system refuses, nothing changes. Returns the thread id it applied to, or undefined.
 */
export function lowerThisThreadPriority(nice: number = BACKGROUND_NICE): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    // setpriority(2) with a thread id: on Linux it applies to that thread alone.
    setPriority(tid, nice);
    return tid;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure libuv's thread pool (which runs the WAL fsyncs, file reads and DNS look-ups) is
 * running, started from the calling thread. The pool starts on the first request made to it,
 * and new threads take the priority of the thread that starts them: call this on the main thread
 * before starting a thread that lowers its priority, or the whole pool, fsyncs included, could
 * run at the lowered one.
 */
export const startThreadPool = async (): Promise<void> => {
  await access(__filename).catch(() => undefined);
};

/**
 * Asks a worker thread to stop (`{ type: 'stop' }`) and waits for it to exit; after `timeoutMs`
 * it logs `timeoutMsg` as an error and terminates it.
 */
export const stopWorker = async (worker: Worker, timeoutMs: number, logger: { error(message: unknown): void }, timeoutMsg: string): Promise<void> => {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'stop' });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  if ((await Promise.race([exited, timedOut])) === 'timeout') {
    logger.error({ msg: timeoutMsg });
    await worker.terminate();
  }
  clearTimeout(timer);
};
