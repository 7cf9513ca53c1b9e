import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Exchange,
  type RunningExample,
  runExample,
  send,
  settle,
} from '../../express-api/test/support.js';

const exampleDir = resolve(__dirname, '..');

describe('nodesdk-zero-code, run as a child process against a GELF receiver', () => {
  let example: RunningExample;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    example = await runExample(exampleDir, { SLOW_MIN_MS: '5', SLOW_MAX_MS: '30' });
    const url = example.service.url;
    exchanges.push(await send(url, 'GET'));
    exchanges.push(...(await Promise.all([send(url, 'GET'), send(url, 'GET'), send(url, 'GET')])));
    await example.receiver.waitForMessages(4, 20_000);
  }, 60_000);

  afterAll(async () => {
    await example?.close();
  });

  it('answers GET /api', () => {
    expect(exchanges.map((e) => [e.status, e.body])).toEqual(
      Array(4).fill([200, { result: 'OK', Hello: 'World!' }]),
    );
  });

  it('sends exactly one GELF summary per request through NodeSDK, and stops quickly and quietly', async () => {
    const started = Date.now();
    expect(await example.service.stop()).toBe(0);
    // No OTLP exporter left waiting for a collector that is not there.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(example.service.output().trim()).toMatch(
      /^nodesdk-zero-code listening on http:\/\/127\.0\.0\.1:\d+$/,
    );
    const messages = await settle(example.receiver);
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
