import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { RequestValidationError } from '../http/validation';
import { Idempotency, IdempotencyKeyReusedError, IdempotentReplay } from './idempotency';
import { InMemoryIdempotencyStore } from './idempotency.store';

/** Just enough of an Express request and response for the check. */
const request = (body: unknown, headers: Record<string, string>, method = 'POST', user: string | null = 'u1', org = 'acme', path = '/tickets'): Request =>
  ({ method, originalUrl: `${path}?x=1`, body, header: (name: string) => headers[name.toLowerCase()], user: user === null ? undefined : { id: user, org } }) as unknown as Request;

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
    expect(remember).toHaveBeenCalledWith({ org: 'acme', userId: 'u1', route: 'POST /tickets' }, 'k-1', expect.any(String), { status: 201, body: undefined });
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

  it('looks nothing up for a GET, a request without a key, or one without a verified caller', () => {
    const store = new InMemoryIdempotencyStore();
    const lookup = jest.spyOn(store, 'lookup');
    const idempotency = new Idempotency(store);
    idempotency.check(request({}, key, 'GET'), new FakeResponse() as unknown as Response, onFailed);
    idempotency.check(request({}, {}), new FakeResponse() as unknown as Response, onFailed);
    idempotency.check(request({}, key, 'POST', null), new FakeResponse() as unknown as Response, onFailed);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses a key it cannot use with a 400 naming the header, instead of ignoring it (issue 20)', () => {
    const store = new InMemoryIdempotencyStore();
    const lookup = jest.spyOn(store, 'lookup');
    const idempotency = new Idempotency(store);
    for (const bad of ['has space', '', 'k'.repeat(201), 'clé', 'a\tb', 'k-1, k-2']) {
      let error: unknown;
      try {
        idempotency.check(request({}, { 'idempotency-key': bad }), new FakeResponse() as unknown as Response, onFailed);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).issues).toEqual([{ field: 'Idempotency-Key', message: expect.stringContaining('visible ASCII') }]);
    }
    expect(lookup).not.toHaveBeenCalled();
    expect(() => idempotency.check(request({}, { 'idempotency-key': 'k'.repeat(200) }), new FakeResponse() as unknown as Response, onFailed)).not.toThrow();
  });

  it('scopes a key by organization, user and route: the same user id in another organization is another caller (issue 20)', () => {
    const idempotency = new Idempotency(new InMemoryIdempotencyStore());
    const acme = new FakeResponse();
    idempotency.check(request({ a: 1 }, key, 'POST', 'u-ta', 'acme'), acme as unknown as Response, onFailed);
    acme.answer(201, { ticketId: 'T-acme', email: 'ta@acme.example' });
    // Same user id, same key, same body, another organization: runs, and is not answered with acme's ticket.
    expect(() => idempotency.check(request({ a: 1 }, key, 'POST', 'u-ta', 'globex'), new FakeResponse() as unknown as Response, onFailed)).not.toThrow();
    // The same caller and key on another route is another request, not a reuse.
    expect(() => idempotency.check(request({ a: 1 }, key, 'POST', 'u-ta', 'acme', '/tickets/T-1/closure'), new FakeResponse() as unknown as Response, onFailed)).not.toThrow();
    expect(() => idempotency.check(request({ a: 1 }, key, 'POST', 'u-ta', 'acme'), new FakeResponse() as unknown as Response, onFailed)).toThrow(IdempotentReplay);
  });

  it('refuses a body nested past the depth limit before fingerprinting it (issue 20: 8,000 levels overflowed the stack)', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 8_000; i++) deep = { x: deep };
    const idempotency = new Idempotency(new InMemoryIdempotencyStore());
    expect(() => idempotency.check(request(deep, key), new FakeResponse() as unknown as Response, onFailed)).toThrow(RequestValidationError);
  });
});
