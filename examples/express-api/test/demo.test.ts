import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createGelfReceiver } from '@otel-gelf/gelf-tail';
import { describe, expect, it } from 'vitest';

const exampleDir = resolve(__dirname, '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/demo.ts` as `pnpm demo` does, off a terminal (plain progress lines, no colors). */
function runDemo(args: string[]): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--conditions=@otel-gelf/source', '--import', 'tsx', 'src/demo.ts', ...args],
    {
      cwd: exampleDir,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, SLOW_MAX_MS: '50' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((done) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      done({ code, stdout, stderr });
    });
  });
}

describe('pnpm demo (src/demo.ts)', () => {
  it('sends the requests, prints every summary and an overview, and exits 0', async () => {
    const run = await runDemo(['--', '--requests', '5', '--concurrency', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('gelf-tail, embedded, on udp://127.0.0.1:');
    // formatSummary's header line, one per request
    expect(run.stdout.match(/(GET|POST) \/api 200 [\d.]+ ms/g)).toHaveLength(5);
    expect(run.stdout).toContain('── overview');
    expect(run.stdout).toMatch(/requests sent +5 {2}\(5 answered 200/);
    expect(run.stdout).toMatch(/summaries received +5 for \/api/);
    expect(run.stdout).toMatch(/^ +fast_stuff +65 +13 /m);
    expect(run.stdout).toMatch(/^ +some_slow_stuff +5 +1 /m);
    expect(run.stdout).toContain('✔ 5 requests, 5 GELF summaries: one per request');
    // off a terminal: plain progress lines, no carriage returns or escape codes
    expect(run.stdout).toContain('… 5/5 requests answered');
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).not.toContain('\u001b[');
  }, 60_000);

  it('with --endpoint, sends the summaries there instead of to an embedded receiver', async () => {
    // A receiver of the test's own stands in for a real Graylog.
    const graylog = await createGelfReceiver({ host: '127.0.0.1', udp: 0 });
    try {
      const endpoint = `udp://127.0.0.1:${graylog.ports.udp}`;
      const run = await runDemo(['--requests', '3', '--endpoint', endpoint]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`GELF endpoint       ${endpoint} (no embedded receiver)`);
      expect(run.stdout).toMatch(/requests sent +3 \(3 answered as expected\)/);
      expect(run.stdout).not.toContain('gelf-tail, embedded');
      // the demo stopped the service, which flushed: every summary is there already
      const messages = await graylog.waitForMessages(3, 5000);
      expect(messages.map((m) => m.message._service_name)).toEqual(Array(3).fill('express-api'));
    } finally {
      await graylog.close();
    }
  }, 60_000);

  it('refuses a bad option with the usage text and exit code 2', async () => {
    const run = await runDemo(['--requests', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--requests must be a whole number >= 1, got "many"');
    expect(run.stderr).toContain('Usage: pnpm demo');
  }, 30_000);
});
