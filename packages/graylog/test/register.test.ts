import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const app = join(import.meta.dirname, 'fixtures', 'register-app.mjs');
const cjsApp = join(import.meta.dirname, 'fixtures', 'register-app.cjs');
const hidePeer = join(import.meta.dirname, 'fixtures', 'hide-sdk-trace.cjs');
const otherProvider = join(import.meta.dirname, 'fixtures', 'other-provider.mjs');

let receiver: GelfReceiver;
beforeAll(async () => {
  receiver = await createGelfReceiver({ udp: 0 });
});
afterAll(async () => {
  await receiver.close();
});

interface Run {
  child: ChildProcess;
  stdout: Promise<string>;
  /** Everything written to stdout so far. */
  out: () => string;
  stderr: () => string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function run(
  mode: 'exit' | 'wait' | 'commonjs',
  env: Record<string, string>,
  preload: string[] = [],
  after: string[] = [],
): Run {
  const args =
    mode === 'commonjs'
      ? ['--require', 'tsx/cjs', '--require', './packages/graylog/src/register.ts', cjsApp]
      : ['--import', 'tsx', '--import', './packages/graylog/src/register.ts', ...after, app, mode];
  const child = spawn(process.execPath, ['--conditions=@otel-gelf/source', ...preload, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const stdout = new Promise<string>((resolveLine) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolveLine(out);
    });
  });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, stdout, out: () => out, stderr: () => err, exit };
}

describe('@otel-gelf/graylog/register', () => {
  it('sets up tracing from the environment and flushes when the app ends on its own', async () => {
    const r = run('exit', {
      OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`,
      OTEL_EXPORTER_GELF_HOST: 'register-host',
      OTEL_SERVICE_NAME: 'hello-service',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,service.version=2.0%2B1',
    });
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    const { id, traceparent } = JSON.parse(await r.stdout);
    // the W3C propagator is registered
    expect(traceparent).toMatch(new RegExp(`^00-${id}-[0-9a-f]{16}-01$`));
    const m = await receiver.waitForMessage((x) => x.message._trace_id === id, 10_000);
    expect(m.violations).toEqual([]);
    expect(m.message).toMatchObject({
      host: 'register-host',
      _request: 'GET /hello',
      _service_name: 'hello-service',
      _service_version: '2.0+1',
      _deployment_environment_name: 'staging',
      _op_fast_stuff_count: 3,
      _op_some_slow_stuff_count: 1,
    });
  });

  it('works with --require for CommonJS applications', async () => {
    const r = run('commonjs', {
      OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`,
      OTEL_SERVICE_NAME: 'cjs-service',
    });
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    const { id } = JSON.parse(await r.stdout);
    const m = await receiver.waitForMessage((x) => x.message._trace_id === id, 10_000);
    expect(m.message).toMatchObject({ _service_name: 'cjs-service', _op_fast_stuff_count: 2 });
  });

  it('flushes on SIGTERM, then ends with the signal as it would have without us', async () => {
    const r = run('wait', {
      OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`,
      OTEL_SERVICE_NAME: 'sigterm-service',
    });
    const { id } = JSON.parse(await r.stdout);
    r.child.kill('SIGTERM');
    const [code, signal] = await r.exit;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    const m = await receiver.waitForMessage((x) => x.message._trace_id === id, 10_000);
    expect(m.message._service_name).toBe('sigterm-service');
  });

  /** Runs the app with a setup that cannot work: it must not start, and say why in one line. */
  async function refusedStart(r: Run): Promise<string> {
    const [code, signal] = await r.exit;
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    // the application never ran
    expect(r.out()).toBe('');
    const lines = r.stderr().split('\n');
    // one line, then the final newline: no stack trace, no uncaught-error banner
    expect(lines, r.stderr()).toHaveLength(2);
    expect(lines[1]).toBe('');
    return lines[0] as string;
  }

  it('refuses an invalid endpoint at startup with one line on stderr and exit code 1', async () => {
    const line = await refusedStart(run('exit', { OTEL_EXPORTER_GELF_ENDPOINT: 'foo://x' }));
    expect(line).toBe(
      '@otel-gelf/graylog/register: GraylogSummaryProcessor: invalid OTEL_EXPORTER_GELF_ENDPOINT "foo://x" (expected udp://, tcp://, tls://, http:// or https://)',
    );
  });

  it('refuses an invalid configuration the same way under --require', async () => {
    const line = await refusedStart(
      run('commonjs', {
        OTEL_EXPORTER_GELF_ENDPOINT: 'nope',
        OTEL_EXPORTER_GELF_CHUNK_SIZE: '10',
      }),
    );
    expect(line).toBe(
      '@otel-gelf/graylog/register: GraylogSummaryProcessor: invalid OTEL_EXPORTER_GELF_ENDPOINT "nope" (not a valid URL; expected e.g. udp://graylog:12201)',
    );
  });

  it('names the missing optional peer in one line and exits 1', async () => {
    const line = await refusedStart(
      run('exit', { OTEL_EXPORTER_GELF_ENDPOINT: 'udp://127.0.0.1:1' }, ['--require', hidePeer]),
    );
    expect(line).toMatch(
      /^@otel-gelf\/graylog\/register: @opentelemetry\/sdk-trace is not installed; @otel-gelf\/graylog\/register needs it \(npm install @opentelemetry\/sdk-trace @opentelemetry\/context-async-hooks @opentelemetry\/resources @opentelemetry\/core\)$/,
    );
  });

  it('does nothing with OTEL_SDK_DISABLED=true, and the app runs untraced', async () => {
    const r = run('exit', { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_GELF_ENDPOINT: 'nope' });
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    expect(JSON.parse(await r.stdout)).toMatchObject({ recording: false });
    expect(r.stderr()).toBe('');
  });

  it('leaves an already registered tracer provider in place and says so in one line', async () => {
    const r = run('exit', { OTEL_EXPORTER_GELF_ENDPOINT: 'udp://127.0.0.1:1' }, [
      '--import',
      otherProvider,
    ]);
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    expect(JSON.parse(await r.stdout)).toMatchObject({ recording: true });
    expect(r.stderr().split('\n')).toEqual([
      '@otel-gelf/graylog/register: a tracer provider is already registered (NodeSDK?); it is left as it is, and add the processor to it instead: new NodeSDK({ spanProcessors: [new GraylogSummaryProcessor()], … })',
      '',
    ]);
  });

  it('says once when a tracer provider registered after it is refused', async () => {
    const r = run(
      'exit',
      { OTEL_EXPORTER_GELF_ENDPOINT: 'udp://127.0.0.1:1' },
      [],
      ['--import', otherProvider],
    );
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    const lines = r.stderr().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^@otel-gelf\/graylog\/register: another tracer provider \(NodeSDK\?\) tried to register after this one .*new NodeSDK\(\{ spanProcessors: \[new GraylogSummaryProcessor\(\)\]/,
    );
  });

  it('records every span under OTEL_TRACES_SAMPLER while the sampler decides the sampled flag', async () => {
    const r = run('exit', {
      OTEL_EXPORTER_GELF_ENDPOINT: `udp://127.0.0.1:${receiver.ports.udp}`,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    });
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    const { id, traceparent, recording } = JSON.parse(await r.stdout);
    expect(recording).toBe(true);
    expect(traceparent).toMatch(/-00$/);
    const m = await receiver.waitForMessage((x) => x.message._trace_id === id, 10_000);
    expect(m.message._op_fast_stuff_count).toBe(3);
  });

  it('leaves unsampled spans unrecorded with OTEL_EXPORTER_GELF_ALWAYS_RECORD=false', async () => {
    const r = run('exit', {
      OTEL_EXPORTER_GELF_ENDPOINT: 'udp://127.0.0.1:1',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_EXPORTER_GELF_ALWAYS_RECORD: 'false',
    });
    const [code] = await r.exit;
    expect(code, r.stderr()).toBe(0);
    expect(JSON.parse(await r.stdout)).toMatchObject({ recording: false });
  });

  it('refuses an unknown OTEL_TRACES_SAMPLER in one line', async () => {
    const line = await refusedStart(run('exit', { OTEL_TRACES_SAMPLER: 'jaeger_remote' }));
    expect(line).toMatch(
      /^@otel-gelf\/graylog\/register: unsupported OTEL_TRACES_SAMPLER "jaeger_remote" \(expected one of always_on, /,
    );
  });
});
