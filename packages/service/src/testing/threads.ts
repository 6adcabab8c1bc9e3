import { readdirSync, readFileSync } from 'node:fs';

/** Nice value of each thread of a process (field 19 of each thread's stat line in /proc), by thread id. Linux only. */
export const threadNiceValues = (pid: number | 'self' = 'self'): Map<number, number> =>
  new Map(
    readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return [[Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])] as const];
      } catch {
        return []; // the thread ended meanwhile
      }
    }),
  );

/**
 * `test` on Linux; elsewhere `test.skip`, with the reason printed in the run, because the tests
 * it marks read /proc, which only Linux has. `what` names them in that line.
 */
export const onLinux = (what: string): jest.It => {
  if (process.platform === 'linux') return test;
  console.log(`${what}: SKIPPED, it reads /proc, which only Linux has`);
  return test.skip;
};
