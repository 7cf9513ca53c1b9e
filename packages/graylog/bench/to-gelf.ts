/**
 * CPU per message of the mapping (`toGelfPayload`, the exporter's path, and `toGelf`) now against
 * the mapping before the field budget (commit {@link BASELINE_COMMIT}), on the bench's summaries,
 * side by side in one process: medians of interleaved rounds.
 *
 * The old implementation is not kept in the repository: its files are taken from git at that
 * commit into `.cache/bench-baseline/` (ignored) and imported from there.
 *
 * Run: pnpm --filter @otel-gelf/graylog bench:to-gelf   (ROUNDS=15 N=20000 to change the sizes)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestSummary } from '@otel-gelf/request-summary';
import { FieldBudget, OPERATION_STATISTICS } from '../src/gelf-plan.js';
import { toGelf, toGelfPayload } from '../src/to-gelf.js';
import { summary } from './summaries.js';

/** main before issue 10 (the field budget, stable types, checked values). */
const BASELINE_COMMIT = '2117755';
const BASELINE_FILES = [
  'to-gelf.ts',
  'gelf-plan.ts',
  'field-names.ts',
  'byte-writer.ts',
  'utf8.ts',
];
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const N = Number(process.env.N ?? 20_000);
const HOST = 'bench-host';
// The UDP limit at the default chunk size: what the exporter passes as maxBytes.
const MAX_BYTES = 128 * (1420 - 12);

type Mapping = (s: RequestSummary) => unknown;

async function loadBaseline(): Promise<{ toGelf: Mapping; toGelfPayload: Mapping }> {
  const packageDir = join(import.meta.dirname, '..');
  const dir = join(packageDir, '.cache', 'bench-baseline', BASELINE_COMMIT);
  mkdirSync(dir, { recursive: true });
  for (const file of BASELINE_FILES) {
    const text = execFileSync('git', ['show', `${BASELINE_COMMIT}:./src/${file}`], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    writeFileSync(join(dir, file), text);
  }
  const old = await import(pathToFileURL(join(dir, 'to-gelf.ts')).href);
  const options = { host: HOST, maxBytes: MAX_BYTES };
  return {
    toGelf: (s) => old.toGelf(s, { host: HOST }),
    toGelfPayload: (s) => old.toGelfPayload(s, options),
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU µs per call of `map` over N summaries. */
function cpuPerCall(map: Mapping): number {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) map(summary(i));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / N;
}

async function main(): Promise<void> {
  const old = await loadBaseline();
  // An exporter's budget with the default options, and one writing every statistic (the old
  // field set), to tell the cost of the checks from what fewer fields save.
  const budget = new FieldBudget();
  const allBudget = new FieldBudget({ operationFields: OPERATION_STATISTICS.map(([s]) => s) });
  const variants: Array<[string, Mapping]> = [
    ['before: toGelfPayload', old.toGelfPayload],
    [
      'now: toGelfPayload (default fields)',
      (s) => toGelfPayload(s, { host: HOST, maxBytes: MAX_BYTES, budget }),
    ],
    [
      'now: toGelfPayload (every statistic)',
      (s) => toGelfPayload(s, { host: HOST, maxBytes: MAX_BYTES, budget: allBudget }),
    ],
    ['before: toGelf', old.toGelf],
    ['now: toGelf (default fields)', (s) => toGelf(s, { host: HOST, budget })],
    ['now: toGelf (every statistic)', (s) => toGelf(s, { host: HOST, budget: allBudget })],
  ];
  for (const [, map] of variants) for (let i = 0; i < 5000; i++) map(summary(i));

  const results = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const [name, map] = variants[(k + round) % variants.length]!;
      const list = results.get(name) ?? [];
      list.push(cpuPerCall(map));
      results.set(name, list);
    }
  }
  const cpu = (name: string) => median(results.get(name)!);
  const sizeOld = (old.toGelfPayload(summary(0)) as Buffer).length;
  const sizeNew = toGelfPayload(summary(0), { host: HOST, budget })!.length;
  console.log(
    `node ${process.version}, ${ROUNDS} rounds × N=${N}; baseline ${BASELINE_COMMIT}; payload ${sizeOld} bytes before, ${sizeNew} now (default fields)`,
  );
  console.table(
    variants.map(([name]) => {
      const base = name.includes('toGelfPayload') ? 'before: toGelfPayload' : 'before: toGelf';
      return {
        variant: name,
        'CPU µs/msg (median)': cpu(name).toFixed(3),
        'vs before': `${((cpu(name) / cpu(base) - 1) * 100).toFixed(1)} %`,
      };
    }),
  );
}

await main();
