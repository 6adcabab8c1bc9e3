export { canonicalJson } from './canonical-json';
export { eventHash, sealEvents, sealSystemEvent, verifyChain, type ChainBreakReason, type ChainEnd, type SystemEventInput, type ChainVerification, type UnsealedEvent, type UnsealedMetadata } from './hash-chain';
