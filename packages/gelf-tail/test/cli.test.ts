import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gelf, sendTcp, sendUdp, until } from './helpers.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = resolve(import.meta.dirname, '../src/cli.ts');

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  ports: Record<string, number>;
}

async function startCli(args: string[]): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@otel-gelf/source', cli, ...args],
    {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d;
  });
  const started = Date.now();
  while (!/listening on .*\n/.test(err)) {
    if (child.exitCode !== null || Date.now() - started > 15_000) {
      throw new Error(`gelf-tail did not start (exit ${child.exitCode}): ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const ports: Record<string, number> = {};
  for (const m of err.matchAll(/(udp|tcp) 127\.0\.0\.1:(\d+)|http http:\/\/127\.0\.0\.1:(\d+)/g)) {
    if (m[1] !== undefined) ports[m[1]] = Number(m[2]);
    else ports.http = Number(m[3]);
  }
  return { child, stdout: () => out, stderr: () => err, ports };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

describe('gelf-tail CLI', () => {
  let running: Running | undefined;
  afterEach(async () => {
    if (running !== undefined && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await exited(running.child);
    }
    running = undefined;
  });

  it('prints the bound ports and one JSON line per message with --json, and stops on SIGTERM', async () => {
    running = await startCli(['--udp', '0', '--tcp', '0', '--json']);
    const r = running;
    expect(Object.keys(r.ports).sort()).toEqual(['tcp', 'udp']);
    await sendUdp(r.ports.udp!, [Buffer.from(JSON.stringify(gelf({ _n: 1 })))]);
    await sendTcp(r.ports.tcp!, [Buffer.from(`${JSON.stringify(gelf({ _n: 2, _id: 'x' }))}\0`)]);
    await sendUdp(r.ports.udp!, [Buffer.from('garbage')]);
    await until(
      () => r.stdout().split('\n').length >= 3 && /invalid udp/.test(r.stderr()),
      15_000,
      'two messages and one invalid',
    );
    const lines = r
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byN = Object.fromEntries(lines.map((l) => [l.message._n, l]));
    expect(byN[1]).toMatchObject({ transport: 'udp', violations: [] });
    expect(byN[2]).toMatchObject({
      transport: 'tcp',
      violations: ['field _id is forbidden (Graylog drops it)'],
    });
    expect(r.stderr()).toMatch(/gelf-tail: invalid udp from 127\.0\.0\.1:\d+: invalid JSON/);
    r.child.kill('SIGTERM');
    expect(await exited(r.child)).toBe(0);
    expect(r.stderr()).toMatch(/stopped after 2 message\(s\), 1 invalid, 1 with violations/);
  });

  it('prints a readable summary with the operations table', async () => {
    running = await startCli(['--http', '0']);
    const r = running;
    expect(Object.keys(r.ports)).toEqual(['http']);
    const body = JSON.stringify(
      gelf({
        short_message: 'GET /api 200 12.5 ms',
        _service_name: 'shop',
        full_message: JSON.stringify({
          load_cart: { num_calls: 4, min: 1, max: 4, mean: 2.5, values: [1, 2, 3, 4] },
        }),
      }),
    );
    const res = await fetch(`http://127.0.0.1:${r.ports.http}/gelf`, { method: 'POST', body });
    expect(res.status).toBe(202);
    await until(() => /load_cart/.test(r.stdout()), 15_000, 'the summary');
    expect(r.stdout()).toMatch(/\[INFO\] +shop {2}GET \/api 200 12\.5 ms/);
    expect(r.stdout()).toMatch(/load_cart +4 +1\.000 +4\.000 +2\.500 +4\.000/);
    expect(r.stdout()).not.toContain('\u001b[');
    r.child.kill('SIGINT');
    expect(await exited(r.child)).toBe(0);
  });

  it('refuses a bad port with usage and exit code 2', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@otel-gelf/source', cli, '--udp', 'abc'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    expect(await exited(child)).toBe(2);
    expect(err).toMatch(/--udp wants a port number/);
    expect(err).toMatch(/Usage: gelf-tail/);
  });
});
