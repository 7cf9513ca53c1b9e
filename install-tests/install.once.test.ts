/**
 * Installs the packed tarballs as a new user would: fresh npm projects outside the workspace,
 * the install lines of the READMEs, no --legacy-peer-deps, then a small HTTP service whose
 * messages a gelf-tail receiver counts. npm downloads are cached under .cache/npm.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBinary } from '../scripts/node-binary.mjs';

const root = resolve(import.meta.dirname, '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const npmCache = join(root, '.cache', 'npm');
const REQUESTS = 5;
const MINUTES = 60_000;

let work: string;
let tarballs: Record<string, string>;
let receiver: GelfReceiver;

// pnpm sets NODE_PATH to the workspace's store for the scripts it runs: a project resolving
// through it would find the workspace's packages instead of what npm installed.
const { NODE_PATH: _nodePath, ...cleanEnv } = process.env;

/** `nodeBin`: a Node bin folder put first on PATH, so npm runs on that Node (as its user's does). */
function sh(cmd: string, args: string[], cwd: string, nodeBin?: string) {
  const PATH = nodeBin === undefined ? cleanEnv.PATH : `${nodeBin}:${cleanEnv.PATH}`;
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...cleanEnv, PATH, CI: 'true' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** A fresh npm project with the fixtures, installed with `npm install <specs>`. */
function project(name: string, specs: string[], nodeBin?: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  expect(sh('npm', ['init', '-y'], dir).status).toBe(0);
  for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(dir, f));
  const r = sh(
    'npm',
    ['install', '--cache', npmCache, '--prefer-offline', '--no-audit', '--no-fund', ...specs],
    dir,
    nodeBin,
  );
  expect(r.out).not.toMatch(/ERESOLVE/);
  expect(r.status, r.out).toBe(0);
  return dir;
}

/** Runs the service under `nodeArgs`; resolves its exit code, stdout and stderr. */
function serve(dir: string, nodeArgs: string[], service: string, node = process.execPath) {
  return new Promise<{ code: number | null; out: string; err: string }>((done) => {
    const child = spawn(node, [...nodeArgs, 'app.cjs'], {
      cwd: dir,
      env: {
        ...cleanEnv,
        NODE_OPTIONS: '',
        REQUESTS: String(REQUESTS),
        OTEL_SERVICE_NAME: service,
        OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => done({ code, out, err }));
  });
}

/** The service ran, and gelf-tail received one summary per request with its timeit calls. */
async function expectSummaries(
  run: { code: number | null; out: string; err: string },
  service: string,
  // With http instrumentation a request is the server span, with the two timeit calls in it;
  // without it, each timeit call is a request of its own (timeit roots are requests).
  perRequest: { messages: number; fastStuff: number } = { messages: 1, fastStuff: 2 },
) {
  expect(run.code, run.err).toBe(0);
  expect(run.out).toContain('done');
  expect(run.err).not.toMatch(/Accessing resource attributes before async attributes settled/);
  const expected = REQUESTS * perRequest.messages;
  const mine = () => receiver.messages.filter((m) => m.message._service_name === service);
  // UDP: the receiver may still be reading what the exited process sent
  const deadline = Date.now() + 10_000;
  while (mine().length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const messages = mine();
  expect(messages).toHaveLength(expected);
  for (const m of messages) {
    expect(m.violations).toEqual([]);
    if (perRequest.fastStuff > 0) expect(m.message._op_fast_stuff_count).toBe(perRequest.fastStuff);
    else expect(m.message._request).toBe('fast_stuff');
  }
}

beforeAll(async () => {
  receiver = await createGelfReceiver({ udp: 0 });
  work = mkdtempSync(join(tmpdir(), 'otel-gelf-install-'));
  const packed = join(work, 'tarballs');
  mkdirSync(packed);
  const build = sh('pnpm', ['-r', '--filter', './packages/*', 'build'], root);
  expect(build.status, build.out).toBe(0);
  tarballs = {};
  for (const pkg of ['timeit', 'request-summary', 'graylog', 'gelf-tail']) {
    const r = sh('pnpm', ['pack', '--pack-destination', packed], join(root, 'packages', pkg));
    expect(r.status, r.out).toBe(0);
  }
  for (const f of readdirSync(packed)) {
    const pkg = /^otel-gelf-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(f)?.[1];
    if (pkg !== undefined) tarballs[pkg] = join(packed, f);
  }
  // The sizes the READMEs quote.
  for (const [pkg, file] of Object.entries(tarballs)) {
    console.log(`tarball @otel-gelf/${pkg}: ${(statSync(file).size / 1024).toFixed(1)} kB`);
  }
}, 10 * MINUTES);

afterAll(async () => {
  await receiver?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
}, 2 * MINUTES);

describe('installed with npm from the packed tarballs', () => {
  let nodesdk: string;

  it(
    '(a) Node 20: beside @opentelemetry/sdk-node@0.223.0 and auto-instrumentations-node 0.81.2',
    async () => {
      nodesdk = project('nodesdk', [
        tarballs.timeit!,
        tarballs['request-summary']!,
        tarballs.graylog!,
        '@opentelemetry/api@1.9',
        '@opentelemetry/sdk-node@0.223.0',
        '@opentelemetry/auto-instrumentations-node@0.81.2',
      ]);
      // auto-instrumentations add dns/tcp roots outside requests: still one message per request
      await expectSummaries(
        await serve(nodesdk, ['--require', './nodesdk.cjs'], 'a-nodesdk'),
        'a-nodesdk',
      );
    },
    10 * MINUTES,
  );

  it(
    '(b) Node 24: beside @opentelemetry/sdk-node@0.301.x (SDK 3, api 1.10)',
    async () => {
      // The Node binary pnpm test:matrix uses, installed once under .cache/node-24.21.0. npm runs
      // on it too: under Node 20, npm resolves SDK 2.x for the optional peers and stops (ERESOLVE).
      const bin24 = nodeBinary('24.21.0');
      const dir = project(
        'nodesdk3',
        [
          tarballs.timeit!,
          tarballs['request-summary']!,
          tarballs.graylog!,
          '@opentelemetry/api',
          '@opentelemetry/sdk-node@0.301.x',
          '@opentelemetry/instrumentation-http@0.301.x',
        ],
        bin24,
      );
      const run = await serve(
        dir,
        ['--require', './nodesdk3.cjs'],
        'b-nodesdk3',
        join(bin24, 'node'),
      );
      await expectSummaries(run, 'b-nodesdk3');
    },
    10 * MINUTES,
  );

  it(
    '(d) zero code: --require @otel-gelf/graylog/register, then the instrumentations',
    async () => {
      const run = await serve(
        nodesdk,
        [
          '--require',
          '@otel-gelf/graylog/register',
          '--require',
          './zero-code-instrumentation.cjs',
        ],
        'd-register',
      );
      await expectSummaries(run, 'd-register');
    },
    2 * MINUTES,
  );

  it(
    '(d) zero code: --import @otel-gelf/graylog/register (ESM build)',
    async () => {
      const run = await serve(
        nodesdk,
        ['--import', '@otel-gelf/graylog/register', '--require', './zero-code-instrumentation.cjs'],
        'd-import',
      );
      await expectSummaries(run, 'd-import');
    },
    2 * MINUTES,
  );

  it('has one GraylogSummaryProcessor class in CommonJS', () => {
    const r = sh(process.execPath, ['cjs-instanceof.cjs'], nodesdk);
    expect(r.out.trim()).toBe('true');
  });

  it('names the install command when gelf-pro is missing', () => {
    const r = sh(process.execPath, ['gelf-pro-missing.cjs'], nodesdk);
    expect(r.out.trim()).toBe(
      "gelf-pro is not installed; transport: 'gelf-pro' needs it (npm install gelf-pro@1.4.0)",
    );
  });

  it(
    '(c) Node 20: BasicTracerProvider at the lowest versions declared (api 1.3.0, SDK 2.12.0)',
    async () => {
      const dir = project('basic', [
        tarballs.timeit!,
        tarballs['request-summary']!,
        tarballs.graylog!,
        '@opentelemetry/api@1.3.0',
        '@opentelemetry/sdk-trace-base@2.12.0',
        '@opentelemetry/context-async-hooks@2.12.0',
        '@opentelemetry/resources@2.12.0',
      ]);
      await expectSummaries(await serve(dir, ['--require', './basic.cjs'], 'c-basic'), 'c-basic', {
        messages: 2,
        fastStuff: 0,
      });
    },
    10 * MINUTES,
  );
});
