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
