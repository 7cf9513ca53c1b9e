import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { send, settle, useExample } from './support.js';

const exampleDir = resolve(__dirname, '..');
const OK = { result: 'OK', Hello: 'World!' };

describe('express-api, run as a child process against a GELF receiver', () => {
  const run = useExample(exampleDir, { SLOW_MIN_MS: '5', SLOW_MAX_MS: '30' }, async (url) => [
    // Two one after the other, then three at once.
    await send(url, 'GET'),
    await send(url, 'POST'),
    ...(await Promise.all([send(url, 'GET'), send(url, 'POST'), send(url, 'GET')])),
  ]);

  it('answers GET and POST /api with the Flask example body', () => {
    expect(run.exchanges.map((e) => [e.method, e.status, e.body])).toEqual([
      ['GET', 200, OK],
      ['POST', 200, OK],
      ['GET', 200, OK],
      ['POST', 200, OK],
      ['GET', 200, OK],
    ]);
  });

  it('prints where it listens', () => {
    expect(run.example.service.output()).toMatch(
      /^express-api listening on http:\/\/127\.0\.0\.1:\d+ \(downstream http:\/\/127\.0\.0\.1:\d+, in-process/m,
    );
  });

  it('sends exactly one valid GELF message per request, after flushing on SIGTERM', async () => {
    expect(await run.example.service.stop()).toBe(0);
    const messages = await settle(run.example.receiver);
    expect(messages).toHaveLength(5);
    expect(new Set(messages.map((m) => m.message._trace_id)).size).toBe(5);
    expect(messages.map((m) => m.message._request).sort()).toEqual([
      'GET /api',
      'GET /api',
      'GET /api',
      'POST /api',
      'POST /api',
    ]);
    for (const m of messages) expect(m.violations).toEqual([]);
  });

  it('summarises the timeit functions, the Express middleware and the downstream call', () => {
    for (const { message } of run.example.receiver.messages) {
      expect(message).toMatchObject({
        short_message: expect.stringMatching(/^(GET|POST) \/api 200 [\d.]+ ms$/),
        level: 6,
        _service_name: 'express-api',
        _http_route: '/api',
        _http_response_status_code: 200,
        _op_some_slow_stuff_count: 1,
        _op_fast_stuff_count: 13,
        // the undici client span of the fetch to the inventory service
        _op_GET_count: 1,
        // the Express spans, as the Express instrumentation names them
        '_op_middleware_-_jsonParser_count': 1,
        _op_request_handler_count: 1,
        // the request handler span ends on the response's 'close', after the HTTP span: the
        // processor waits a turn for it instead of leaving it out
        _open_children: 0,
      });
      expect(message._op_some_slow_stuff_max_ms).toBeLessThan(message._duration_ms as number);
      const ops = JSON.parse(message.full_message as string);
      expect(ops.fast_stuff).toMatchObject({ num_calls: 13 });
      expect(ops.fast_stuff.values).toHaveLength(5);
      expect(ops.some_slow_stuff).toMatchObject({ num_calls: 1 });
    }
  });

  it('carries what the service annotated: who asked, and whether the profile was cached', () => {
    const messages = run.example.receiver.messages.map((m) => m.message);
    // No x-user-id header in these requests.
    expect(messages.map((m) => m._user_id)).toEqual(Array(5).fill('anonymous'));
    // The first request loads the profile; the later ones find it cached.
    expect(messages.map((m) => m._cache).sort()).toEqual(['hit', 'hit', 'hit', 'hit', 'miss']);
    const miss = messages.find((m) => m._cache === 'miss')!;
    expect(miss._op_load_profile_count).toBe(1);
    for (const m of messages.filter((x) => x._cache === 'hit')) {
      expect(m).not.toHaveProperty('_op_load_profile_count');
    }
  });

  it('keeps the in-process inventory service out of the summaries', () => {
    // Its incoming requests are ignored by the HTTP instrumentation: no message of its own.
    const requests = run.example.receiver.messages.map((m) => String(m.message._request));
    expect(requests.filter((r) => r.includes('inventory'))).toEqual([]);
  });
});
