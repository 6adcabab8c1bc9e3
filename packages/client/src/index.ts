export {
  after,
  comparePositions,
  createSupportSlaClient,
  READ_MODEL_PATHS,
  type Answer,
  type CallInit,
  type CommandOptions,
  type PathsWith,
  type ReadModelPath,
  type SupportSlaClient,
  type SupportSlaClientOptions,
  type TokenSource,
} from './client';
export { isSupportSlaError, SupportSlaError, toErrorBody, type ErrorBody, type SupportSlaErrorDetails } from './errors';
export type { components, operations, paths } from './generated/openapi';

import type { components } from './generated/openapi';
/** The named schemas of the API (`TicketCommandAnswer`, `TicketDetails`, `QueueView`, …). */
export type Schemas = components['schemas'];
