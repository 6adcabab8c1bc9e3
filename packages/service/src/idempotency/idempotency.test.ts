import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { Idempotency, IdempotencyKeyReusedError, IdempotentReplay } from './idempotency';
import { InMemoryIdempotencyStore } from './idempotency.store';

/** Just enough of an Express request and response for the check. */
const request = (body: unknown, headers: Record<string, string>, method = 'POST', user: string | null = 'u1'): Request =>
  ({ method, originalUrl: '/tickets?x=1', body, header: (name: string) => headers[name.toLowerCase()], user: user === null ? undefined : { id: user } }) as unknown as Request;

class FakeResponse extends EventEmitter {
  statusCode = 201;
  sent: unknown[] = [];
  json(body?: unknown): this {
    // As Express does: json() sends the serialized body through send().
    return this.send(JSON.stringify(body));
  }
  send(body?: unknown): this {
    this.sent.push(body);
    return this;
  }
  /** Answers with `body` and `status`, as NestJS or the exception filter would. */
  answer(status: number, body: unknown): void {
    this.statusCode = status;
    this.json(body);
    this.emit('finish');
  }
}

const key = { 'idempotency-key': 'k-1' };
const failures: unknown[] = [];
const onFailed = (error: unknown): void => void failures.push(error);

describe('Idempotency.check', () => {
  beforeEach(() => {
    failures.length = 0;
  });

  it('lets a new keyed request run, remembers its 2xx answer once sent, and replays it for the same request', () => {
    const idempotency = new Idempotency(new InMemoryIdempotencyStore());
    const first = new FakeResponse();
    idempotency.check(request({ a: 1 }, key), first as unknown as Response, onFailed);
    first.answer(201, { ticketId: 'T-1' });
    expect(first.sent).toEqual([JSON.stringify({ ticketId: 'T-1' })]);
    let replay: unknown;
    try {
      idempotency.check(request({ a: 1 }, key), new FakeResponse() as unknown as Response, onFailed);
    } catch (error) {
      replay = error;
    }
    expect(replay).toBeInstanceOf(IdempotentReplay);
    expect(replay).toMatchObject({ status: 201, body: { ticketId: 'T-1' } });
  });

  it('remembers the answer before it is sent: a client cut off before the response went out gets it on retry', () => {
    const idempotency = new Idempotency(new InMemoryIdempotencyStore());
    const cutOff = new FakeResponse();
    idempotency.check(request({ a: 1 }, key), cutOff as unknown as Response, onFailed);
    // Handed to the response, but never finished: the connection was gone.
    cutOff.json({ ticketId: 'T-9' });
    expect(() => idempotency.check(request({ a: 1 }, key), new FakeResponse() as unknown as Response, onFailed)).toThrow(IdempotentReplay);
  });

  it('remembers an answer sent without a body, once', () => {
    const store = new InMemoryIdempotencyStore();
    const remember = jest.spyOn(store, 'remember');
    const response = new FakeResponse();
    new Idempotency(store).check(request({ a: 1 }, key), response as unknown as Response, onFailed);
    response.send();
    response.send();
    expect(remember).toHaveBeenCalledTimes(1);
    expect(remember).toHaveBeenCalledWith('u1', 'k-1', expect.any(String), { status: 201, body: undefined });
  });

  it('refuses the same key for another body, and leaves another user free to use it', () => {
    const idempotency = new Idempotency(new InMemoryIdempotencyStore());
    const first = new FakeResponse();
    idempotency.check(request({ a: 1 }, key), first as unknown as Response, onFailed);
    first.answer(201, { ok: true });
    expect(() => idempotency.check(request({ a: 2 }, key), new FakeResponse() as unknown as Response, onFailed)).toThrow(IdempotencyKeyReusedError);
    expect(() => idempotency.check(request({ a: 2 }, key, 'POST', 'u2'), new FakeResponse() as unknown as Response, onFailed)).not.toThrow();
  });

  it('does not remember a failure, so a retry runs again', () => {
    const idempotency = new Idempotency(new InMemoryIdempotencyStore());
    const failed = new FakeResponse();
    idempotency.check(request({ a: 1 }, key), failed as unknown as Response, onFailed);
    failed.answer(409, { error: 'conflict' });
    expect(() => idempotency.check(request({ a: 1 }, key), new FakeResponse() as unknown as Response, onFailed)).not.toThrow();
  });

  it('reports a store that cannot remember instead of throwing from the response event', () => {
    const store = new InMemoryIdempotencyStore();
    store.remember = () => {
      throw new Error('disk full');
    };
    const response = new FakeResponse();
    new Idempotency(store).check(request({ a: 1 }, key), response as unknown as Response, onFailed);
    expect(() => response.answer(201, { ok: true })).not.toThrow();
    expect(failures).toEqual([new Error('disk full')]);
  });

  it('looks nothing up for a GET, a request without a key or with an invalid one, or one without a verified caller', () => {
    const store = new InMemoryIdempotencyStore();
    const lookup = jest.spyOn(store, 'lookup');
    const idempotency = new Idempotency(store);
    idempotency.check(request({}, key, 'GET'), new FakeResponse() as unknown as Response, onFailed);
    idempotency.check(request({}, {}), new FakeResponse() as unknown as Response, onFailed);
    idempotency.check(request({}, { 'idempotency-key': 'has space' }), new FakeResponse() as unknown as Response, onFailed);
    idempotency.check(request({}, key, 'POST', null), new FakeResponse() as unknown as Response, onFailed);
    expect(lookup).not.toHaveBeenCalled();
  });
});
