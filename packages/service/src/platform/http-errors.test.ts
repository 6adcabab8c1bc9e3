import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { AppendTooLargeError, EventStoreUnavailableError, StreamDeletedError, WrongExpectedRevisionError } from '../event-store/event-store.port';
import { classifyError } from './http-errors';

const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(`${name} happened`), { name }, extra);

describe('classifyError', () => {
  it('maps the port errors', () => {
    expect(classifyError(new WrongExpectedRevisionError('ticket-1', 0n, 1n))).toMatchObject({ status: 409, body: { error: 'conflict' }, unexpected: false });
    expect(classifyError(new EventStoreUnavailableError('down'))).toMatchObject({ status: 503, body: { error: 'unavailable' }, unexpected: false });
  });

  it('maps a tombstoned stream to 410 and an over-large append to 413, naming the stream and the limit', () => {
    expect(classifyError(new StreamDeletedError('ticket-7'))).toEqual({
      status: 410,
      body: { error: 'stream_deleted', message: 'stream ticket-7 was deleted for good (tombstoned): it can no longer be read or written' },
      unexpected: false,
    });
    expect(classifyError(new AppendTooLargeError('ticket-7', 1_048_576))).toEqual({
      status: 413,
      body: { error: 'append_too_large', message: "the events this request would store exceed the event store's maximum append size of 1048576 bytes; nothing was stored" },
      unexpected: false,
    });
    expect(classifyError(new AppendTooLargeError('ticket-7', undefined)).body.message).not.toMatch(/\d/);
  });

  it('maps application errors by name and shape', () => {
    expect(classifyError(named('RequestValidationError', { issues: [{ field: 'a.b', message: 'is required' }, { nonsense: true }] }))).toEqual({ status: 400, body: { error: 'validation', issues: [{ field: 'a.b', message: 'is required' }] }, unexpected: false });
    expect(classifyError(named('RequestValidationError', { issues: [{ field: 'a.b', message: 'is required' }] })).body).toEqual({ error: 'validation', issues: [{ field: 'a.b', message: 'is required' }] });
    expect(classifyError(named('DomainRuleViolation', { error: { code: 'not_open', message: 'closed' } })).body).toEqual({ error: 'not_open', message: 'closed' });
    expect(classifyError(named('OutageNotFoundError')).status).toBe(404);
    expect(classifyError(named('InvalidTokenError')).status).toBe(401);
    expect(classifyError(named('ProjectionTimeoutError')).body.error).toBe('read_model_lagging');
  });

  it('maps body-parser errors without trusting their 5xx statuses', () => {
    expect(classifyError(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413, limit: 1024 }))).toMatchObject({ status: 413, body: { error: 'payload_too_large', message: 'the request body exceeds 1024 bytes' } });
    expect(classifyError(Object.assign(new Error('unsupported charset "X"'), { type: 'charset.unsupported', status: 415 }))).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    expect(classifyError(Object.assign(new Error('x'), { type: 'stream.not.readable', status: 500 }))).toMatchObject({ status: 500, unexpected: true });
  });

  it('keeps Nest HTTP exceptions, and hides everything else behind a logged 500', () => {
    expect(classifyError(new NotFoundException('Cannot GET /x'))).toMatchObject({ status: 404, body: { error: 'not_found', message: 'Cannot GET /x' } });
    expect(classifyError(new BadRequestException())).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(classifyError(new HttpException('teapot', 418))).toMatchObject({ status: 418, body: { error: 'bad_request' } });
    expect(classifyError(new TypeError('x is undefined'))).toEqual({ status: 500, body: { error: 'internal', message: 'internal error' }, unexpected: true });
    expect(classifyError('a string')).toMatchObject({ status: 500, unexpected: true });
  });
});
