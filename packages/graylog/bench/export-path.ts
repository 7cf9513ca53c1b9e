/**
 * CPU per message of the exporter's whole path (`GelfSummaryExporter`: mapping, transport,
 * outcome callbacks) now against main before issue 13's second round (commit
 * {@link BASELINE_COMMIT}), side by side in one process: medians of interleaved rounds, to the
 * counting sink in a child process. Two summaries: the whole-service benchmark's request (a
 * 1.7 KB message, two UDP datagrams) and the package bench's (one datagram).
 *
 * The old implementation is not kept in the repository: its `src/` is taken from git at that
 * commit into `.cache/bench-baseline/` (ignored) and imported from there.
 *
 * Run: pnpm --filter @otel-gelf/graylog bench:export-path   (ROUNDS=9 N=5120 to change the sizes)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestSummary } from '@otel-gelf/request-summary';
import { FieldBudget } from '../src/gelf-plan.js';
import { GelfSummaryExporter } from '../src/gelf-summary-exporter.js';
import { toGelfPayload } from '../src/to-gelf.js';
import { type Sink, startSink } from './sink-process.js';
import { serviceSummary, summary } from './summaries.js';

/** main before this round of issue 13 (the mapping's and the UDP path's copies). */
const BASELINE_COMMIT = 'f1e9f8b';
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const N = Number(process.env.N ?? 5120);
const BATCH = 256;
const HOST = 'bench-host';
const MAX_BYTES = 128 * (1420 - 12);

interface Implementation {
  GelfSummaryExporter: typeof GelfSummaryExporter;
  toGelfPayload: typeof toGelfPayload;
  FieldBudget: typeof FieldBudget;
}

async function loadBaseline(): Promise<Implementation> {
  const packageDir = join(import.meta.dirname, '..');
  const dir = join(packageDir, '.cache', 'bench-baseline', `${BASELINE_COMMIT}-src`);
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', `${BASELINE_COMMIT}:packages/graylog/src`], {
    cwd: join(packageDir, '..', '..'),
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const url = (file: string) => pathToFileURL(join(dir, file)).href;
  const exporter = await import(url('gelf-summary-exporter.ts'));
  const toGelf = await import(url('to-gelf.ts'));
  const plan = await import(url('gelf-plan.ts'));
  return {
    GelfSummaryExporter: exporter.GelfSummaryExporter,
    toGelfPayload: toGelf.toGelfPayload,
    FieldBudget: plan.FieldBudget,
  };
}

interface Variant {
  name: string;
  /** Sink counter the variant's messages arrive at; undefined for the mapping alone. */
  kind: 'udp' | 'tcp' | undefined;
  /** Handles N messages; resolves when the exporter called back for all of them. */
  run(): Promise<void>;
}

function batches(make: (i: number) => RequestSummary): RequestSummary[][] {
  const out: RequestSummary[][] = [];
  for (let i = 0; i < N; i += BATCH) {
    out.push(Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => make(i + k)));
  }
  return out;
}

function viaExporter(
  name: string,
  impl: Implementation,
  endpoint: string,
  make: (i: number) => RequestSummary,
): Variant {
  const exporter = new impl.GelfSummaryExporter({ endpoint, host: HOST });
  const work = batches(make);
  return {
    name,
    kind: endpoint.startsWith('udp') ? 'udp' : 'tcp',
    async run() {
      for (const batch of work) {
        await new Promise<void>((done) => exporter.export(batch, () => done()));
      }
    },
  };
}

function mappingOnly(name: string, impl: Implementation): Variant {
  const options = { host: HOST, maxBytes: MAX_BYTES, budget: new impl.FieldBudget() };
  return {
    name,
    kind: undefined,
    async run() {
      for (let i = 0; i < N; i++) impl.toGelfPayload(serviceSummary(i), options);
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function settled(sink: Sink, kind: 'udp' | 'tcp', target: number): Promise<number> {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const count = (await sink.count())[kind];
    if (count !== last) {
      last = count;
      lastChange = performance.now();
    }
    if (count >= target || performance.now() - lastChange > 2000) return count;
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main(): Promise<void> {
  const before = await loadBaseline();
  const now: Implementation = { GelfSummaryExporter, toGelfPayload, FieldBudget };
  const sink = await startSink();
  const udp = `udp://127.0.0.1:${sink.ports.udp}`;
  const tcp = `tcp://127.0.0.1:${sink.ports.tcp}`;
  const pairs: Array<[string, (impl: Implementation, label: string) => Variant]> = [
    ['mapping only, service summary', (impl, label) => mappingOnly(label, impl)],
    [
      'udp, service summary (2 datagrams)',
      (impl, label) => viaExporter(label, impl, udp, serviceSummary),
    ],
    ['udp, bench summary (1 datagram)', (impl, label) => viaExporter(label, impl, udp, summary)],
    ['tcp, service summary', (impl, label) => viaExporter(label, impl, tcp, serviceSummary)],
  ];
  const variants: Variant[] = [];
  for (const [what, make] of pairs) {
    variants.push(make(before, `before: ${what}`), make(now, `now: ${what}`));
  }
  const sizes = [serviceSummary(0), summary(0)].map(
    (s) => toGelfPayload(s, { host: HOST, maxBytes: MAX_BYTES })!.length,
  );
  console.log(
    `node ${process.version}, ${ROUNDS} rounds × N=${N} (batches of ${BATCH}); baseline ${BASELINE_COMMIT}; service summary ${sizes[0]} bytes, bench summary ${sizes[1]} bytes`,
  );
  // Warm-up, not counted.
  for (const v of variants) await v.run();
  const cpu = new Map<string, number[]>();
  let lost = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length]!;
      const start = v.kind === undefined ? 0 : (await sink.count())[v.kind];
      const cpu0 = process.cpuUsage();
      await v.run();
      const used = process.cpuUsage(cpu0);
      if (v.kind !== undefined) lost += N - ((await settled(sink, v.kind, start + N)) - start);
      const list = cpu.get(v.name) ?? [];
      list.push((used.user + used.system) / N);
      cpu.set(v.name, list);
    }
  }
  sink.close();
  console.table(
    pairs.map(([what]) => {
      const b = median(cpu.get(`before: ${what}`)!);
      const n = median(cpu.get(`now: ${what}`)!);
      return {
        path: what,
        'before µs/msg': b.toFixed(2),
        'now µs/msg': n.toFixed(2),
        change: `${((n / b - 1) * 100).toFixed(1)} %`,
      };
    }),
  );
  console.log(`messages not counted at the sink: ${lost} of ${ROUNDS * N * 6}`);
}

await main();
