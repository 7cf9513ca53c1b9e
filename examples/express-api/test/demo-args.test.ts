import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../src/demo-args.js';

describe('parseDemoArgs', () => {
  it('defaults to 50 requests, 4 at a time, and the embedded receiver', () => {
    expect(parseDemoArgs([])).toEqual({
      requests: 50,
      concurrency: 4,
      endpoint: undefined,
      help: false,
    });
  });

  it('ignores the `--` that pnpm passes through', () => {
    expect(parseDemoArgs(['--', '--requests', '12', '--concurrency=3'])).toMatchObject({
      requests: 12,
      concurrency: 3,
    });
  });

  it('takes a real GELF endpoint', () => {
    expect(parseDemoArgs(['--endpoint', 'udp://graylog.example:12201']).endpoint).toBe(
      'udp://graylog.example:12201',
    );
    expect(parseDemoArgs(['--endpoint', 'https://g.example/gelf']).endpoint).toBe(
      'https://g.example/gelf',
    );
  });

  it('refuses what it cannot use, saying why', () => {
    expect(() => parseDemoArgs(['--requests', '0'])).toThrow('--requests must be a whole number');
    expect(() => parseDemoArgs(['--concurrency', '1.5'])).toThrow('--concurrency must be');
    expect(() => parseDemoArgs(['--endpoint', 'graylog:12201'])).toThrow('--endpoint must look');
    expect(() => parseDemoArgs(['--request', '5'])).toThrow(/Unknown option '--request'/);
  });
});
