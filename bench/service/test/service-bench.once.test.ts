import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIGS, FLOOR_MESSAGE_BYTES } from '../src/configs.js';
import type { Run, Summary } from '../src/run.js';

const benchDir = resolve(__dirname, '..');
// GET /api makes 17 spans: the http server span, `middleware - jsonParser`, `request handler`,
// one some_slow_stuff and 13 fast_stuff.
const SPANS_PER_REQUEST = 17;
// --short: 1 round, 1 s at 100 requests/s, sent as a fixed number of requests.
const REQUESTS = 100;

interface BenchOutput {
  stdout: string;
  report: { conditions: Record<string, unknown>; runs: Run[]; summaries: Summary[] };
}

/** Runs `pnpm bench:service --short` with `args` as a user would, and reads its JSON report. */
async function runBench(args: string[]): Promise<BenchOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-service-'));
  try {
    const json = join(dir, 'out.json');
    const run = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@otel-gelf/source',
        '--import',
        'tsx',
        'src/run.ts',
        '--short',
        ...args,
        '--json',
        json,
      ],
      { cwd: benchDir, timeout: 170_000 },
    );
    return { stdout: run.stdout, report: JSON.parse(readFileSync(json, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('pnpm bench:service --short (the whole-service benchmark, smoke test)', () => {
  let stdout: string;
  let report: BenchOutput['report'];

  beforeAll(async () => {
    ({ stdout, report } = await runBench(['--time-calls']));
  }, 180_000);

  it('runs every setup once and states the conditions', () => {
    expect(report.runs.map((r) => r.config).sort()).toEqual([...DEFAULT_CONFIGS].sort());
    expect(report.conditions).toMatchObject({ node: process.version, rounds: 1, rate: 100 });
    expect(stdout).toContain(`Node ${process.version}`);
    for (const config of DEFAULT_CONFIGS)
      expect(stdout).toMatch(new RegExp(`^${config} +\\d`, 'm'));
    expect(stdout).toMatch(/^udp CPU\/request vs otel: \d+\.\d+/m);
    expect(stdout).toMatch(/^bytes\/request: otlp \d+ B, udp \d+ B/m);
    expect(stdout).toMatch(/^bytes\/request: otlp \d+ B, udp-zlib \d+ B/m);
  });

  it('counts every request at the service, with its CPU, latency and memory', () => {
    for (const run of report.runs) {
      expect(run.requests, run.config).toBe(REQUESTS);
      expect(run.loadErrors + run.non2xx, run.config).toBe(0);
      expect(run.cpuUs, run.config).toBeGreaterThan(0);
      expect(run.cpuUsPerRequest).toBeCloseTo(run.cpuUs / run.requests, 6);
      expect(run.systemCpuUsPerRequest, run.config).toBeGreaterThanOrEqual(0);
      expect(run.systemCpuUsPerRequest, run.config).toBeLessThan(run.cpuUsPerRequest);
      expect(run.kernelCpuUsPerRequest, run.config).toBeGreaterThan(0);
      expect(run.p99Ms, run.config).toBeGreaterThan(0);
      expect(run.eventLoopDelayMaxMs, run.config).toBeGreaterThan(0);
      expect(run.rssBytes, run.config).toBeGreaterThan(0);
    }
  });

  it('receives one summary per request from our processor, over UDP (plain and zlib) and TCP', () => {
    for (const config of ['udp', 'udp-zlib', 'tcp'] as const) {
      const run = report.runs.find((r) => r.config === config)!;
      expect(run.sink, config).toMatchObject({ messages: REQUESTS, spans: 0 });
      expect(run.sink!.bytes).toBeGreaterThan(REQUESTS * 300);
      expect(run.bytesPerRequest).toBe(run.sink!.bytes / REQUESTS);
    }
  });

  it('receives every span from the span exporters (OTLP requests, one GELF message per span)', () => {
    const otlp = report.runs.find((r) => r.config === 'otlp')!;
    expect(otlp.sink!.spans).toBe(REQUESTS * SPANS_PER_REQUEST);
    expect(otlp.sink!.messages).toBeGreaterThan(0);
    const perSpan = report.runs.find((r) => r.config === 'gelf-span')!;
    expect(perSpan.sink!.messages).toBe(REQUESTS * SPANS_PER_REQUEST);
    for (const run of [otlp, perSpan]) expect(run.bytesPerRequest).toBeGreaterThan(0);
  });

  it('--time-calls: times every onStart and onEnd of each processor inside the service', () => {
    for (const run of report.runs) {
      if (run.config === 'none' || run.config === 'otel') {
        expect(run.calls, run.config).toBeUndefined();
        continue;
      }
      const calls = run.calls!;
      expect(calls.onStart.calls, run.config).toBe(REQUESTS * SPANS_PER_REQUEST);
      expect(calls.onEnd.calls, run.config).toBe(REQUESTS * SPANS_PER_REQUEST);
      expect(calls.onEnd.p50Ns).toBeLessThanOrEqual(calls.onEnd.p90Ns);
      expect(calls.clockNs).toBeGreaterThan(0);
    }
    expect(stdout).toMatch(/^udp +\d+ +\d+ +\d+ +\d+ +\d+ +\d+\.\d/m);
  });

  it('summarises each setup, with ratios against otel and bytes per request', () => {
    const udp = report.summaries.find((s) => s.config === 'udp')!;
    expect(udp.cpuVsOtel!.median).toBeCloseTo(
      udp.cpuUsPerRequest.median /
        report.summaries.find((s) => s.config === 'otel')!.cpuUsPerRequest.median,
      6,
    );
    expect(udp.deliveredPerRequest!.median).toBe(1);
    expect(report.summaries.find((s) => s.config === 'none')!.bytesPerRequest).toBeUndefined();
  });
});

describe('pnpm bench:service --baseline (setups from another revision beside the same of this tree)', () => {
  let stdout: string;
  let report: BenchOutput['report'];

  beforeAll(async () => {
    ({ stdout, report } = await runBench([
      '--baseline',
      'HEAD',
      '--configs',
      'otel,floor,udp,udp@base',
    ]));
  }, 180_000);

  it('runs the @base setup from its own build, and every message arrives', () => {
    expect(stdout).toMatch(
      /^@base setups: node dist\/service-base\.cjs \(the otel-gelf packages at HEAD\)/m,
    );
    expect(report.runs.map((r) => r.config)).toEqual(['otel', 'floor', 'udp', 'udp@base']);
    for (const config of ['floor', 'udp', 'udp@base']) {
      const run = report.runs.find((r) => r.config === config)!;
      expect(run.requests, config).toBe(REQUESTS);
      expect(run.sink, config).toMatchObject({ messages: REQUESTS, spans: 0 });
    }
    const base = report.summaries.find((s) => s.config === 'udp@base')!;
    expect(base.description).toContain('(the packages at HEAD)');
    expect(base.cpuVsOtel).toBeDefined();
  });

  it('sends the floor message at the size of the udp setup’s', () => {
    const bytes = (config: string) =>
      report.runs.find((r) => r.config === config)!.bytesPerRequest!;
    expect(bytes('floor')).toBe(FLOOR_MESSAGE_BYTES + 2 * 12);
    expect(Math.abs(bytes('floor') - bytes('udp'))).toBeLessThan(100);
  });
});
