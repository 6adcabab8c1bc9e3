import * as E from 'fp-ts/Either';
import { defaultPolicy } from '../policy/policy.default';
import { decodeCommand, decodeEvent, makeEventDecoder, upcastEvent } from './codecs';

const opened = {
  type: 'TicketOpened',
  schemaVersion: 1,
  data: {
    ticketId: 't-1',
    ticketNumber: 'SS-000001',
    at: '2026-03-09T14:00:00Z',
    by: { id: 'u-1', role: 'administrator' },
    receivedAt: '2026-03-09T14:00:00Z',
    channel: 'email',
    namedUser: { id: 'u-1', email: 'ada@example.org', license: 'administrator' },
    tier: 'premium',
    request: { summary: 'Cannot log in', description: 'The login page spins forever.' },
    policyVersion: 1,
  },
};

const issuesOf = <A>(result: E.Either<{ issues: readonly { path: string; expected: string }[] }, A>) =>
  E.isLeft(result) ? result.left.issues.map(({ path, expected }) => ({ path, expected })) : [];

describe('event and command decoding', () => {
  it('accepts a well-formed event', () => {
    expect(decodeEvent(opened)).toEqual(E.right(opened));
  });

  it('names the field path and expected type of an invalid field', () => {
    const bad = { ...opened, data: { ...opened.data, namedUser: { ...opened.data.namedUser, email: 'not-an-address' } } };
    expect(issuesOf(decodeEvent(bad))).toEqual([{ path: 'data.namedUser.email', expected: 'Email' }]);
  });

  it('rejects an instant without an offset', () => {
    const bad = { ...opened, data: { ...opened.data, receivedAt: '2026-03-09T09:00:00' } };
    expect(issuesOf(decodeEvent(bad))).toEqual([{ path: 'data.receivedAt', expected: 'IsoInstant' }]);
  });

  it('rejects instants that name no real date or time instead of rolling them over', () => {
    for (const receivedAt of ['2026-02-30T10:00:00Z', '2025-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-03-09T24:00:00Z', '2026-03-09T10:60:00Z', '2026-03-09T10:00:60Z', '2026-03-09T10:00:00+24:00', '0000-01-01T00:00:00Z', '1900-06-01T00:00:00Z', '2200-06-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      expect({ receivedAt, issues: issuesOf(decodeEvent({ ...opened, data: { ...opened.data, receivedAt } })) }).toEqual({ receivedAt, issues: [{ path: 'data.receivedAt', expected: 'IsoInstant' }] });
    }
    expect(E.isRight(decodeEvent({ ...opened, data: { ...opened.data, receivedAt: '2028-02-29T23:59:59.999+14:00' } }))).toBe(true);
  });

  it('accepts instants with a numeric offset', () => {
    const ok = { ...opened, data: { ...opened.data, receivedAt: '2026-03-09T09:00:00.250-05:00' } };
    expect(E.isRight(decodeEvent(ok))).toBe(true);
  });

  it('names an unknown event type', () => {
    expect(issuesOf(decodeEvent({ type: 'TicketExploded', schemaVersion: 1, data: {} }))[0]?.path).toBe('type');
  });

  it('refuses events from a newer schema version', () => {
    expect(issuesOf(decodeEvent({ ...opened, schemaVersion: 2 }))).toEqual([{ path: 'schemaVersion', expected: '<= 1' }]);
  });

  it('upcasts older schema versions step by step', () => {
    // A hypothetical history of TicketQueued: v1 called the queue `lane`, v2 lacked the actor.
    const upcasters = {
      TicketQueued: {
        1: (d: unknown) => {
          const { lane, ...rest } = d as { lane: string };
          return { ...rest, queue: lane };
        },
        2: (d: unknown) => ({ ...(d as object), by: { id: 'system', role: 'admin' } }),
      },
    };
    const v1 = { type: 'TicketQueued', schemaVersion: 1, data: { ticketId: 't-1', at: '2026-03-09T14:00:00Z', lane: 'premium:error' } };
    expect(upcastEvent(v1, upcasters, 3)).toEqual(
      E.right({
        type: 'TicketQueued',
        schemaVersion: 3,
        data: { ticketId: 't-1', at: '2026-03-09T14:00:00Z', queue: 'premium:error', by: { id: 'system', role: 'admin' } },
      }),
    );
  });

  it('refuses to upcast when a step is missing', () => {
    const v1 = { type: 'TicketQueued', schemaVersion: 1, data: {} };
    expect(issuesOf(upcastEvent(v1, {}, 2))).toEqual([{ path: 'schemaVersion', expected: '2' }]);
  });

  it('decodes what the upcasters produce with the current codecs', () => {
    // Pretend the current version is 1 and legacy events were written as version 1 without `by`.
    const decode = makeEventDecoder({}, 1);
    const legacy = { type: 'TicketQueued', data: { ticketId: 't-1', at: '2026-03-09T14:00:00Z', queue: 'premium:error', by: { id: 'a', role: 'agent' } } };
    expect(decode(legacy)).toEqual(E.right({ ...legacy, schemaVersion: 1 }));
  });

  it('names the path of an invalid command field', () => {
    const command = { type: 'ClassifyTicket', now: '2026-03-09T14:00:00Z', actor: { id: 'a', role: 'agent' }, data: { ticketId: 't', category: 'nonsense' } };
    expect(issuesOf(decodeCommand(command))).toEqual([{ path: 'data.category', expected: 'Category' }]);
    const noActor = { ...command, data: { ticketId: 't', category: 'personal/how-to' }, actor: { id: 'a', role: 'wizard' } };
    expect(issuesOf(decodeCommand(noActor))).toEqual([{ path: 'actor.role', expected: 'Role' }]);
  });

  it('reports the deepest reason inside a union, and merges alternatives at one path', () => {
    const command = {
      type: 'PublishPolicy',
      now: '2026-03-09T14:00:00Z',
      actor: { id: 'a', role: 'admin' },
      data: { policy: { ...defaultPolicy, supportCalendar: { ...defaultPolicy.supportCalendar, holidays: ['2026-13-01', { date: '2026-01-01', start: 'x', end: '10:00' }] } } },
    };
    expect(issuesOf(decodeCommand(command))).toEqual([
      { path: 'data.policy.supportCalendar.holidays.0', expected: 'PlainDate | PartialHoliday' },
      { path: 'data.policy.supportCalendar.holidays.1.start', expected: 'WallTime' },
    ]);
  });
});
