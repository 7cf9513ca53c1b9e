import type { ReceivedGelf } from '@otel-gelf/gelf-tail';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_KEYS } from '../src/app.js';
import {
  compactLayout,
  compactLine,
  detailBlock,
  graylogSection,
  progressLine,
  slowestCall,
} from '../src/demo-report.js';
import { byEnd, type RequestView, requestView } from '../src/overview.js';
import { type Column, headerLine, painter, StatusLine, table } from '../src/terminal.js';
import { screen } from './screen.js';

const WRAPPERS = ['request handler'];
const plain = painter(false);
const colored = painter(true);

/** A deterministic "random" in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Op {
  name: string;
  values: number[];
}

/** A message as the exporter writes it for one express-api request (default field budget). */
function message(i: number, random: () => number): ReceivedGelf {
  const slow = 10 + Math.round(random() * 290_000) / 1000;
  const fast = Array.from({ length: 13 }, () => 1 + Math.round(random() * 400) / 1000);
  const ops: Op[] = [
    { name: 'middleware - jsonParser', values: [0.05] },
    { name: 'middleware - identify', values: [0.04] },
    ...(i < 12 ? [{ name: 'load_profile', values: [5.2] }] : []),
    { name: 'some_slow_stuff', values: [slow] },
    { name: 'fast_stuff', values: fast },
    { name: 'GET', values: [3 + random()] },
  ];
  const inner = ops.reduce((n, o) => n + o.values.reduce((a, b) => a + b, 0), 0);
  ops.push({ name: 'request handler', values: [inner + 0.5] });
  const durationMs = inner + 1;
  const full: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  for (const op of ops) {
    const sum = op.values.reduce((a, b) => a + b, 0);
    full[op.name] = {
      num_calls: op.values.length,
      min: Math.min(...op.values),
      max: Math.max(...op.values),
      mean: sum / op.values.length,
      values: op.values.slice(-5),
    };
    const stem = `_op_${op.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    fields[`${stem}_count`] = op.values.length;
    fields[`${stem}_sum_ms`] = sum;
    fields[`${stem}_max_ms`] = Math.max(...op.values);
  }
  const user = `u-${1 + ((i * 7) % 12)}`;
  return {
    message: {
      version: '1.1',
      host: 'vm',
      short_message: `GET /api 200 ${durationMs.toFixed(1)} ms`,
      full_message: JSON.stringify(full),
      // Requests overlap: they start 40 ms apart and end in another order.
      timestamp: (1_764_000_000_000 + i * 40) / 1000,
      level: 6,
      _trace_id: i.toString(16).padStart(32, 'a'),
      _request: i % 3 === 2 ? 'POST /api' : 'GET /api',
      _duration_ms: durationMs,
      _service_name: 'express-api',
      _http_response_status_code: 200,
      _user_id: user,
      _cache: i < 12 ? 'miss' : 'hit',
      ...fields,
    },
    transport: 'udp',
    remote: '127.0.0.1:1',
    bytes: 850,
    compression: 'zlib',
    chunks: 1,
    violations: [],
    receivedAt: 0,
  };
}

function fiftyRequests(): RequestView[] {
  const random = lcg(11);
  return Array.from({ length: 50 }, (_, i) =>
    requestView(message(i, random), ANNOTATION_KEYS),
  ).sort(byEnd);
}

/** The demo's request list, as printed: three in full, then one line each, in end order. */
function requestList(views: readonly RequestView[], width: number): string {
  const out: string[] = [];
  views.forEach((view, k) => {
    if (k < 3) out.push(...detailBlock(view, k + 1, width, colored), '');
  });
  const layout = compactLayout(views.length, width);
  out.push(headerLine(layout, colored));
  views.forEach((view, k) => {
    if (k >= 3) {
      out.push(
        compactLine(layout, { n: k + 1, view, slowest: slowestCall(view, WRAPPERS) }, colored),
      );
    }
  });
  return `${out.join('\n')}\n`;
}

describe.each([80, 160])('the demo at %i columns', (width) => {
  const views = fiftyRequests();
  const seen = screen(requestList(views, width), width);

  it('never writes a line a terminal of that width would wrap', () => {
    const wrapped = screen(requestList(views, 10_000), 10_000);
    // Same lines at any width means none wrapped: the emulator would have split them.
    expect(seen.length).toBe(wrapped.length);
    for (const line of seen) expect(line.length).toBeLessThan(width);
  });

  it('shows the first three requests in full, with every last duration', () => {
    for (let n = 1; n <= 3; n++) {
      const header = seen.find((l) => l.startsWith(`#${n}  `));
      expect(header, `#${n}`).toBeDefined();
      expect(header).toContain(`${views[n - 1]!.request} 200`);
      expect(header).toContain(`user_id=${views[n - 1]!.annotations[0]![1]}`);
    }
    const fast = views[0]!.operations.find((o) => o.name === 'fast_stuff')!;
    expect(fast.samplesMs).toHaveLength(5);
    const row = seen.find((l) => l.trimStart().startsWith('fast_stuff'))!;
    expect(row.split(/\s+/).slice(-5)).toEqual(fast.samplesMs.map((v) => v.toFixed(2)));
  });

  it('then fits 47 requests in 48 lines, one each: route, status, duration, slowest call, annotations', () => {
    const header = seen.findIndex((l) => /^ +# +.*request +ms +slowest call, ms/.test(l));
    expect(header).toBeGreaterThan(0);
    const lines = seen.slice(header + 1).filter((l) => l !== '');
    expect(lines).toHaveLength(47);
    lines.forEach((line, k) => {
      const view = views[k + 3]!;
      const slowest = slowestCall(view, WRAPPERS)!;
      expect(slowest.name).toBe('some_slow_stuff');
      expect(line).toMatch(new RegExp(`^ +${k + 4} `));
      expect(line).toContain(`${view.request} 200`);
      expect(line).toContain(view.durationMs!.toFixed(1));
      expect(line).toContain(`some_slow_stuff ${slowest.maxMs!.toFixed(1)}`);
      expect(line).toContain(`user_id=${view.annotations[0]![1]} cache=${view.annotations[1]![1]}`);
      if (width >= 160) expect(line).toContain(view.traceId!.slice(0, 8));
    });
  });

  it('cuts a long slowest-call name, never its duration', () => {
    const view = views[10]!;
    const long = { ...slowestCall(view, WRAPPERS)!, name: 'middleware - jsonParser', maxMs: 29.66 };
    const line = compactLine(compactLayout(50, width), { n: 11, view, slowest: long }, plain);
    expect(line).toContain('middleware - jso… 29.7');
  });

  it('lists the requests in the order they ended, not the order they started', () => {
    const ends = views.map((v) => v.endMs!);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    const starts = views.map((v) => v.received.message.timestamp as number);
    expect(starts).not.toEqual([...starts].sort((a, b) => a - b));
  });

  it('names the GELF fields next to what they hold, and two queries that find the slow calls', () => {
    const text = graylogSection(views, {
      width,
      paint: colored,
      annotationKeys: ANNOTATION_KEYS,
      wrappers: WRAPPERS,
      service: 'express-api',
    }).join('\n');
    const lines = screen(`${text}\n`, width);
    for (const line of lines) expect(line.length).toBeLessThan(width);
    const slowest = views.reduce((a, b) => (b.durationMs! > a.durationMs! ? b : a));
    const m = slowest.received.message;
    const row = (field: string) => lines.find((l) => l.trimStart().startsWith(`${field} `));
    expect(row('_op_some_slow_stuff_max_ms')).toContain(
      String(m._op_some_slow_stuff_max_ms).slice(0, 6),
    );
    expect(row('_op_some_slow_stuff_max_ms')).toContain('its longest call, ms');
    expect(row('_user_id')).toContain(`${m._user_id}`);
    expect(row('_user_id')).toContain('annotateRequest({ user_id })');
    expect(row('_cache')).toContain(`${m._cache}`);
    const queries = lines.filter((l) => /^ {4}_/.test(l) && l.includes(':>'));
    expect(queries).toHaveLength(2);
    const [slowCall, slowRequest] = queries.map((q) => q.trim());
    const threshold = Number(/:>(\d+)/.exec(slowCall!)![1]);
    expect(slowCall).toBe(`_op_some_slow_stuff_max_ms:>${threshold}`);
    const matches = views.filter(
      (v) => v.operations.find((o) => o.name === 'some_slow_stuff')!.maxMs! > threshold,
    ).length;
    // The 90th percentile, rounded down: about a tenth of the requests.
    expect(matches).toBeGreaterThanOrEqual(5);
    expect(matches).toBeLessThanOrEqual(7);
    expect(lines.join('\n')).toContain(
      `one some_slow_stuff call over ${threshold} ms: ${matches} of the 50 requests here`,
    );
    expect(slowRequest).toMatch(/^_service_name:express-api AND _duration_ms:>\d+$/);
  });
});

describe('table', () => {
  it('narrows a shrink column before cutting the others, and never writes past the width', () => {
    const columns: Column<[string, string, string]>[] = [
      { header: 'field', cell: (r) => r[0] },
      { header: 'value', cell: (r) => r[1], maxWidth: 30, shrink: true },
      { header: 'meaning', cell: (r) => r[2], rest: 'wrap', minWidth: 20 },
    ];
    const rows: [string, string, string][] = [
      ['_op_middleware_-_jsonParser_max_ms', 'x'.repeat(32), 'its longest call, ms'],
    ];
    const lines = table(columns, rows, 80, plain, '    ');
    expect(lines[1]).toContain('_op_middleware_-_jsonParser_max_ms  xxxx');
    expect(lines[1]).toContain('…  its longest call, ms');
    for (const line of lines) expect(line.length).toBeLessThan(80);
  });
});

describe('the progress line', () => {
  it('fits any width from 40 to 200 columns, shrinking the bar first', () => {
    for (let width = 40; width <= 200; width++) {
      const line = progressLine(
        { answered: 1234, total: 5000, received: 1200, inFlight: 16 },
        width,
        colored,
      );
      const [shown] = screen(line, width);
      expect(shown!.length, `width ${width}`).toBeLessThan(width);
      expect(shown).toContain('1234/5000');
    }
    expect(progressLine({ answered: 5, total: 50, received: 3, inFlight: 4 }, 80, plain)).toMatch(
      /^\[█{3}░{27}\] 5\/50 answered · 3 summaries · 4 in flight$/,
    );
  });

  it('is redrawn in place on a terminal: one copy at the bottom, none left above', () => {
    for (const width of [40, 80, 160]) {
      let written = '';
      const tty = { isTTY: true, columns: width, write: (s: string) => (written += s) };
      const status = new StatusLine(tty, {});
      for (let k = 0; k <= 20; k++) {
        status.update((w) =>
          progressLine({ answered: k, total: 20, received: k, inFlight: 4 }, w, colored),
        );
        if (k % 5 === 0) status.print(`printed ${k}`);
      }
      // A status too long for any terminal is cut, not wrapped.
      status.update(() => 'x'.repeat(500));
      const lines = screen(written, width);
      expect(lines.filter((l) => l.includes('answered'))).toEqual([]);
      expect(lines.filter((l) => l.startsWith('printed'))).toEqual([
        'printed 0',
        'printed 5',
        'printed 10',
        'printed 15',
        'printed 20',
      ]);
      expect(lines.at(-1)).toBe(`${'x'.repeat(width - 2)}…`);
      status.clear();
      expect(screen(written, width).at(-1)).toBe('');
    }
  });

  it('follows the terminal when it is resized', () => {
    let written = '';
    const tty = { isTTY: true, columns: 160, write: (s: string) => (written += s) };
    const status = new StatusLine(tty, {});
    status.update((w) =>
      progressLine({ answered: 3, total: 9, received: 1, inFlight: 2 }, w, colored),
    );
    tty.columns = 50;
    written = '';
    status.redraw();
    const [line] = screen(written, 50);
    expect(line!.length).toBeLessThan(50);
    expect(line).toContain('3/9');
  });
});

describe('a request with self time', () => {
  it('shows where the time went: the breakdown line and a self ms column', () => {
    const received = message(0, lcg(3));
    const full = JSON.parse(received.message.full_message as string) as Record<
      string,
      Record<string, unknown>
    >;
    for (const [name, entry] of Object.entries(full)) entry.self = name === 'fast_stuff' ? 9.5 : 1;
    Object.assign(received.message, {
      full_message: JSON.stringify(full),
      _self_ms: 2.25,
      _db_count: 2,
      _db_ms: 41.2,
      _other_count: 15,
      _other_ms: 30,
    });
    const seen = screen(
      `${detailBlock(requestView(received, ANNOTATION_KEYS), 1, 80, colored).join('\n')}\n`,
      80,
    );
    expect(seen).toContain('    self 2.250 ms · db 2 × 41.200 ms · other 15 × 30.000 ms');
    const head = seen.find((l) => l.trimStart().startsWith('operation'))!;
    expect(head).toContain('self ms');
    const fast = seen.find((l) => l.trimStart().startsWith('fast_stuff'))!;
    expect(fast.split(/\s+/)).toContain('9.50');
    for (const line of seen) expect(line.length).toBeLessThan(80);
  });
});
