import type { StoredEvent } from '../event-store.port';
import { RecentEvents, deepFreeze } from './recent-events';

const event = (position: number, streamId: string, revision: number): StoredEvent => ({
  id: `e${position}`,
  streamId,
  revision: BigInt(revision),
  position: { commit: BigInt(position), prepare: BigInt(position) },
  type: 'T',
  data: { position },
  metadata: {} as StoredEvent['metadata'],
});

const positions = (events: readonly StoredEvent[] | undefined): number[] | undefined => events?.map((e) => Number(e.position.commit));

describe('RecentEvents: the log tail', () => {
  it('answers with the run of consecutive positions right after the one asked for, up to the limit', () => {
    const recent = new RecentEvents();
    recent.appended([1, 2, 3, 4, 5].map((p) => event(p, `s${p}`, 0)));
    expect(positions(recent.after(0n, 10)?.events)).toEqual([1, 2, 3, 4, 5]);
    expect(positions(recent.after(2n, 2)?.events)).toEqual([3, 4]);
    expect(recent.after(2n, 2)?.more).toBe(false);
    // Nothing after the newest one: the file is asked (it may hold another process's appends).
    expect(recent.after(5n, 10)).toBeUndefined();
  });

  it('stops before a gap (an append made elsewhere) and says more follows; never answers from inside one', () => {
    const recent = new RecentEvents();
    recent.appended([event(1, 'a', 0), event(2, 'a', 1)]);
    // Positions 3 and 4 were appended by another process.
    recent.appended([event(5, 'a', 4)]);
    expect(recent.after(0n, 10)).toEqual({ events: [event(1, 'a', 0), event(2, 'a', 1)], more: true });
    expect(recent.after(2n, 10)).toBeUndefined();
    expect(recent.after(3n, 10)).toBeUndefined();
    expect(positions(recent.after(4n, 10)?.events)).toEqual([5]);
  });

  it('forgets the oldest events past its capacity, and then sends readers of them to the file', () => {
    const recent = new RecentEvents({ logCapacity: 3 });
    recent.appended([1, 2, 3, 4, 5].map((p) => event(p, `s${p}`, 0)));
    expect(recent.after(0n, 10)).toBeUndefined();
    expect(recent.after(1n, 10)).toBeUndefined();
    expect(positions(recent.after(2n, 10)?.events)).toEqual([3, 4, 5]);
  });

  it('leaves out an append that comes after a later one, instead of answering out of order', () => {
    const recent = new RecentEvents();
    recent.appended([event(2, 'b', 0)]);
    recent.appended([event(1, 'a', 0)]);
    expect(recent.after(0n, 10)).toBeUndefined();
    expect(positions(recent.after(1n, 10)?.events)).toEqual([2]);
  });
});

describe('RecentEvents: whole streams', () => {
  it('keeps a stream begun here, and answers only while the head revision it is given is its last', () => {
    const recent = new RecentEvents();
    recent.appended([event(1, 'a', 0)]);
    recent.appended([event(2, 'a', 1), event(3, 'b', 0)]);
    expect(positions(recent.stream('a', 1n))).toEqual([1, 2]);
    expect(positions(recent.stream('b', 0n))).toEqual([3]);
    // The file says the stream has moved on (another process appended): not answered, and dropped.
    expect(recent.stream('a', 2n)).toBeUndefined();
    expect(recent.stream('a', 1n)).toBeUndefined();
  });

  it('hands out copies: an answer does not grow with later appends', () => {
    const recent = new RecentEvents();
    recent.appended([event(1, 'a', 0)]);
    const first = recent.stream('a', 0n);
    recent.appended([event(2, 'a', 1)]);
    expect(positions(first)).toEqual([1]);
    expect(positions(recent.stream('a', 1n))).toEqual([1, 2]);
  });

  it('drops a stream whose next append skips a revision, and does not start one in the middle', () => {
    const recent = new RecentEvents();
    recent.appended([event(1, 'a', 0)]);
    recent.appended([event(2, 'a', 2)]);
    expect(recent.stream('a', 2n)).toBeUndefined();
    recent.appended([event(3, 'c', 4)]);
    expect(recent.stream('c', 4n)).toBeUndefined();
  });

  it('keeps a whole stream read from the file, but not part of one', () => {
    const recent = new RecentEvents();
    recent.read('a', [event(7, 'a', 0), event(9, 'a', 1)]);
    expect(positions(recent.stream('a', 1n))).toEqual([7, 9]);
    recent.read('b', [event(8, 'b', 1)]);
    expect(recent.stream('b', 1n)).toBeUndefined();
  });

  it('stays within its event budget by forgetting the streams used least recently', () => {
    const recent = new RecentEvents({ streamBudget: 4 });
    recent.read('a', [event(1, 'a', 0), event(2, 'a', 1)]);
    recent.read('b', [event(3, 'b', 0)]);
    recent.read('c', [event(4, 'c', 0)]);
    // Using a makes b the least recently used.
    expect(recent.stream('a', 1n)).toBeDefined();
    recent.read('d', [event(5, 'd', 0)]);
    expect(recent.stream('b', 0n)).toBeUndefined();
    expect(recent.stream('a', 1n)).toBeDefined();
    expect(recent.stream('c', 0n)).toBeDefined();
    expect(recent.stream('d', 0n)).toBeDefined();
  });
});

describe('RecentEvents: a stream larger than the budget', () => {
  it('is dropped itself instead of pushing every other stream out', () => {
    const recent = new RecentEvents({ streamBudget: 3 });
    recent.appended([event(1, 'small', 0)]);
    recent.appended([event(2, 'big', 0), event(3, 'big', 1), event(4, 'big', 2), event(5, 'big', 3)]);
    expect(recent.stream('big', 3n)).toBeUndefined();
    expect(positions(recent.stream('small', 0n))).toEqual([1]);
  });
});

describe('deepFreeze', () => {
  it('freezes an event with its data and metadata all the way down', () => {
    const frozen = deepFreeze({ ...event(1, 'a', 0), data: { nested: { list: [{ x: 1 }] } } });
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(Object.isFrozen(frozen.position)).toBe(true);
    expect(Object.isFrozen(frozen.data.nested.list[0])).toBe(true);
    expect(() => {
      (frozen.data.nested.list[0] as { x: number }).x = 2;
    }).toThrow(TypeError);
  });
});
