import { describe, expect, it, vi } from 'vitest';
import { RateLimitedDiag } from '../src/index.js';
import { spyOnDiag } from './helpers.js';

const logger = spyOnDiag();

describe('RateLimitedDiag', () => {
  it('reports each kind at most once a minute, one kind never hiding another, then says how many it held back', () => {
    vi.useFakeTimers();
    try {
      const log = new RateLimitedDiag('@otel-gelf/graylog: ');
      for (let i = 0; i < 5; i++) {
        log.report('warn', 'httpStatus:500', 'answered HTTP 500');
        log.report('warn', 'network:ECONNREFUSED', 'connection refused');
      }
      expect(logger.warn.mock.calls).toEqual([
        ['@otel-gelf/graylog: answered HTTP 500'],
        ['@otel-gelf/graylog: connection refused'],
      ]);
      vi.advanceTimersByTime(59_999);
      log.report('warn', 'httpStatus:500', 'answered HTTP 500');
      expect(logger.warn).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(1);
      log.report('warn', 'httpStatus:500', 'answered HTTP 500');
      expect(logger.warn).toHaveBeenLastCalledWith(
        '@otel-gelf/graylog: answered HTTP 500 (5 more since the last report of this kind)',
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps at most 64 kinds: kinds past them share one slot', () => {
    const log = new RateLimitedDiag();
    for (let i = 0; i < 200; i++) log.report('error', `kind ${i}`, `problem ${i}`);
    // 64 kinds of their own, then one report for all the others.
    expect(logger.error).toHaveBeenCalledTimes(65);
  });
});
