import { eventHash } from '../../hash-chain';
import type { HashOf } from './verify';

/**
 * The service's own hash rule (`hash-chain/eventHash`), applied to an event as read back: a
 * verification can only be trusted if it recomputes exactly what the writer sealed.
 */
export const defaultHashOf: HashOf = (event) => eventHash(event);
