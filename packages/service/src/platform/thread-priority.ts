/** Moved to `src/deployment/thread-priority.ts` (deployment concerns have a folder of their own); kept here for the platform's tests. */
export * from '../deployment/thread-priority';
