export {
  ProjectionFailedError,
  ProjectionRunner,
  ProjectionTimeoutError,
  type ProjectionEnvelope,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  type RunnableProjection,
} from './projection-runner';
