export {
  ProjectionFailedError,
  ProjectionRunner,
  ProjectionTimeoutError,
  type ProjectionEnvelope,
  type ProjectionFollower,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  type RunnableProjection,
} from './projection-runner';
