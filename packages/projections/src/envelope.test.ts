import { isLeft, isRight } from 'fp-ts/Either';
import { compareGlobalPositions, envelopeOf, EventEnvelopeCodec, formatGlobalPosition } from './envelope.js';

const json = {
  eventId: '5f1c7a9e-0000-4000-8000-000000000001',
  streamId: 'ticket-t1',
  revision: '3',
  globalPosition: { commit: '12345678901234567890', prepare: '12345678901234567890' },
  occurredAt: '2026-03-06T22:30:00Z',
  recordedAt: '2026-03-09T12:10:00Z',
  actorId: 'agent-1',
  actorRole: 'agent',
  correlationId: 'c-1',
  causationId: 'c-0',
};

describe('event envelope', () => {
  it('decodes positions beyond 2^53 as bigints and encodes them back', () => {
    const decoded = EventEnvelopeCodec.decode(json);
    if (!isRight(decoded)) throw new Error('expected to decode');
    expect(decoded.right.globalPosition.commit).toBe(12345678901234567890n);
    expect(decoded.right.revision).toBe(3n);
    expect(EventEnvelopeCodec.encode(decoded.right)).toEqual(json);
    expect(formatGlobalPosition(decoded.right.globalPosition)).toBe('12345678901234567890/12345678901234567890');
  });

  it('rejects a local time without an offset and a negative revision', () => {
    expect(isLeft(EventEnvelopeCodec.decode({ ...json, occurredAt: '2026-03-06T22:30:00' }))).toBe(true);
    expect(isLeft(EventEnvelopeCodec.decode({ ...json, revision: '-1' }))).toBe(true);
    expect(isLeft(EventEnvelopeCodec.decode({ ...json, actorId: '' }))).toBe(true);
  });

  it('orders positions commit first, then prepare', () => {
    expect(compareGlobalPositions({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBe(-1);
    expect(compareGlobalPositions({ commit: 2n, prepare: 1n }, { commit: 2n, prepare: 0n })).toBe(1);
    expect(compareGlobalPositions({ commit: 2n, prepare: 0n }, { commit: 2n, prepare: 0n })).toBe(0);
  });

  it('is built from a stored event as the service reads it', () => {
    const envelope = envelopeOf({
      id: 'e1',
      streamId: 'ticket-t1',
      revision: 0n,
      position: { commit: 7n, prepare: 7n },
      metadata: { occurredAt: json.occurredAt, recordedAt: json.recordedAt, actorId: 'agent-1', actorRole: 'agent', correlationId: 'c', causationId: 'd' },
    });
    expect(envelope).toMatchObject({ eventId: 'e1', revision: 0n, globalPosition: { commit: 7n }, occurredAt: json.occurredAt });
  });
});
