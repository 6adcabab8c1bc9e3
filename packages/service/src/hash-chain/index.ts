export { canonicalJson } from './canonical-json';
export { eventHash, sealEvents, verifyChain, type ChainBreakReason, type ChainVerification, type UnsealedEvent, type UnsealedMetadata } from './hash-chain';
