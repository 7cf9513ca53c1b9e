import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind } from '@opentelemetry/api';
import { timeit } from '@otel-gelf/timeit';
import { describe, expect, it } from 'vitest';
import { InMemorySummaryExporter, RequestSummaryProcessor } from '../src/index.js';
import { close, listen, useInstrumentedHttp } from './helpers.js';

const exporter = new InMemorySummaryExporter();
const processor = new RequestSummaryProcessor({ exporter });
const loaded = useInstrumentedHttp([processor]);

const loadUser = timeit(async function loadUser(id: string) {
  await sleep(2);
  return { id };
});
const render = timeit(function render(user: { id: string }) {
  return JSON.stringify(user);
});

describe('RequestSummaryProcessor with real instrumentation', () => {
  it('gives one summary per HTTP request to a node:http server, with the timeit operations', async () => {
    exporter.reset();
    const server = loaded.http.createServer(async (req, res) => {
      const user = await loadUser('42');
      await loadUser('43');
      res.end(render(user));
      void req;
    });
    const base = await listen(server);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${base}/plain?secret=1`);
        expect(r.status).toBe(200);
        await r.text();
      }
      await processor.forceFlush();
      const summaries = exporter.getFinishedSummaries();
      expect(summaries).toHaveLength(3);
      for (const s of summaries) {
        expect(s.kind).toBe(SpanKind.SERVER);
        expect(s.operations.map((o) => [o.name, o.count])).toEqual([
          ['loadUser', 2],
          ['render', 1],
        ]);
        expect(s.operations[0]!.minMs).toBeGreaterThan(1);
        expect(s.attributes['http.target'] ?? s.attributes['url.path']).toBe('/plain');
        expect(JSON.stringify(s)).not.toContain('secret');
        expect(s.resource['service.name']).toBe('test-service');
      }
    } finally {
      await close(server);
    }
  });

  it('gives one summary per HTTP request to an express app, with middleware, handler and timeit operations', async () => {
    exporter.reset();
    const app = loaded.express();
    app.use(function auth(_req: unknown, _res: unknown, next: () => void) {
      next();
    });
    app.get(
      '/users/:id',
      async (req: { params: { id: string } }, res: { send(b: string): void }) => {
        const user = await loadUser(req.params.id);
        await loadUser('other');
        res.send(render(user));
      },
    );
    const server = loaded.http.createServer(app);
    const base = await listen(server);
    try {
      await Promise.all(
        [1, 2, 3, 4].map(async (id) => {
          const r = await fetch(`${base}/users/${id}?token=abc`);
          expect(r.status).toBe(200);
          await r.text();
        }),
      );
      await processor.forceFlush();
      const summaries = exporter.getFinishedSummaries();
      expect(summaries).toHaveLength(4);
      for (const s of summaries) {
        const ops = Object.fromEntries(s.operations.map((o) => [o.name, o.count]));
        expect(ops).toMatchObject({ loadUser: 2, render: 1 });
        expect(ops['middleware - auth'], JSON.stringify(ops)).toBe(1);
        // Express ends this span on the response's 'close', after the server span ended on
        // 'finish': it counts thanks to waitForOpenChildren.
        expect(
          Object.keys(ops).filter((k) => k.startsWith('request handler')),
          JSON.stringify(ops),
        ).toHaveLength(1);
        expect(s.attributes['http.route']).toBe('/users/:id');
        expect(JSON.stringify(s)).not.toContain('token');
        expect(s.counters.openChildren).toBe(0);
      }
      expect(processor.stats()).toMatchObject({ lateSpans: 0, openRequests: 0, trackedSpans: 0 });
    } finally {
      await close(server);
    }
  });
});
