import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { send, settle, useExample } from '../../express-api/test/support.js';

const exampleDir = resolve(__dirname, '..');

describe('nodesdk-zero-code, run as a child process against a GELF receiver', () => {
  const run = useExample(exampleDir, { SLOW_MIN_MS: '5', SLOW_MAX_MS: '30' }, async (url) => [
    await send(url, 'GET'),
    ...(await Promise.all([send(url, 'GET'), send(url, 'GET'), send(url, 'GET')])),
  ]);

  it('answers GET /api', () => {
    expect(run.exchanges.map((e) => [e.status, e.body])).toEqual(
      Array(4).fill([200, { result: 'OK', Hello: 'World!' }]),
    );
  });

  it('sends exactly one GELF summary per request through NodeSDK, and stops quickly and quietly', async () => {
    const started = Date.now();
    expect(await run.example.service.stop()).toBe(0);
    // No OTLP exporter left waiting for a collector that is not there.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(run.example.service.output().trim()).toMatch(
      /^nodesdk-zero-code listening on http:\/\/127\.0\.0\.1:\d+$/,
    );
    const messages = await settle(run.example.receiver);
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((m) => m.message._trace_id)).size).toBe(4);
    for (const m of messages) {
      expect(m.violations).toEqual([]);
      expect(m.message).toMatchObject({
        _request: 'GET /api',
        _service_name: 'nodesdk-zero-code',
        _http_route: '/api',
        _op_some_slow_stuff_count: 1,
        _op_fast_stuff_count: 13,
        _op_request_handler_count: 1,
      });
    }
  });
});
