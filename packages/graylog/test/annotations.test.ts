import { setTimeout as sleep } from 'node:timers/promises';
import { type Span, SpanKind, trace } from '@opentelemetry/api';
import { createGelfReceiver } from '@otel-gelf/gelf-tail';
import { setupTracing } from '@otel-gelf-internal/sdk';
import { describe, expect, it } from 'vitest';
import { annotateRequest, countInRequest, GraylogSummaryProcessor } from '../src/index.js';

/** A small deterministic generator, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('annotateRequest through GraylogSummaryProcessor to a GELF receiver', () => {
  it('gives each of 1 000 interleaved requests its own user id, set across awaits, and no other', async () => {
    const receiver = await createGelfReceiver({
      host: '127.0.0.1',
      tcp: 0,
      maxStoredMessages: 2000,
    });
    const processor = new GraylogSummaryProcessor({
      endpoint: `tcp://127.0.0.1:${receiver.ports.tcp}`,
      maxQueueSize: 5000,
    });
    const tracing = setupTracing({ spanProcessors: [processor] });
    const tracer = trace.getTracer('annotations');
    const random = lcg(20261201);

    /** Code three awaits below the route, in a span of its own or not. */
    async function loadUser(i: number, depth: number): Promise<void> {
      await sleep(Math.floor(random() * 3));
      if (depth > 0) {
        await tracer.startActiveSpan(`load-${depth}`, async (s: Span) => {
          await loadUser(i, depth - 1);
          s.end();
        });
        return;
      }
      await null;
      annotateRequest({ user_id: `u-${i}` });
      countInRequest('lookups');
    }

    async function request(i: number): Promise<void> {
      await tracer.startActiveSpan(
        `GET /users/${i}`,
        { kind: SpanKind.SERVER },
        async (root: Span) => {
          // A middleware's guess, overwritten deeper down.
          annotateRequest({ user_id: 'anonymous', request_no: i });
          await sleep(Math.floor(random() * 2));
          const calls = 1 + (i % 3);
          await Promise.all(Array.from({ length: calls }, (_, c) => loadUser(i, c)));
          root.end();
        },
      );
    }

    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => request(i)));
      await processor.forceFlush();
      const messages = await receiver.waitForMessages(1000, 15_000);
      expect(messages).toHaveLength(1000);
      for (const { message, violations } of messages) {
        expect(violations).toEqual([]);
        const i = Number(String(message._request).slice('GET /users/'.length));
        expect({ request: message._request, user: message._user_id }).toEqual({
          request: `GET /users/${i}`,
          user: `u-${i}`,
        });
        expect(message._request_no).toBe(i);
        expect(message._lookups).toBe(1 + (i % 3));
      }
      expect(new Set(messages.map((m) => m.message._user_id)).size).toBe(1000);
      expect(processor.stats()).toMatchObject({ droppedAnnotations: 0, exported: 1000 });
    } finally {
      await tracing.shutdown();
      await receiver.close();
    }
  }, 60_000);
});
