import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  InMemorySummaryExporter,
  RequestSummaryProcessor,
  type SummarySpan,
} from '../src/index.js';

/** A resource like NodeSDK's: attributes from async detectors, settled when `settle` is called. */
function asyncResource() {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let pending = true;
  let earlyReads = 0;
  const resource = {
    get asyncAttributesPending() {
      return pending;
    },
    get attributes() {
      if (pending) earlyReads++;
      return pending ? {} : { 'service.name': 'async-service', 'host.name': 'h' };
    },
    waitForAsyncAttributes: () => settled,
  };
  return {
    resource,
    earlyReads: () => earlyReads,
    settle() {
      pending = false;
      settle();
    },
  };
}

let n = 0;
function root(resource: SummarySpan['resource']): SummarySpan {
  const ctx = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: String(++n).padStart(16, '0'),
    traceFlags: 1,
  };
  return {
    name: 'GET /',
    kind: 1,
    spanContext: () => ctx,
    startTime: [1_764_000_000, 0],
    endTime: [1_764_000_000, 1_000_000],
    duration: [0, 1_000_000],
    status: { code: 0 },
    attributes: {},
    resource,
  };
}

describe('RequestSummaryProcessor and resources with async attributes', () => {
  it('reads the resource only once it settled, and exports summaries with its attributes', async () => {
    const exporter = new InMemorySummaryExporter();
    const processor = new RequestSummaryProcessor({ exporter, scheduledDelayMillis: 1 });
    const r = asyncResource();
    for (let i = 0; i < 3; i++) {
      const span = root(r.resource);
      processor.onStart(span, ROOT_CONTEXT);
      processor.onEnd(span);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    // nothing exported while the attributes are pending
    expect(exporter.getFinishedSummaries()).toHaveLength(0);
    r.settle();
    await processor.forceFlush();
    const summaries = exporter.getFinishedSummaries();
    expect(summaries).toHaveLength(3);
    for (const s of summaries) expect(s.resource).toEqual({ 'service.name': 'async-service' });
    expect(r.earlyReads()).toBe(0);
    await processor.shutdown();
  });
});
