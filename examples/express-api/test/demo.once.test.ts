import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createGelfReceiver } from '@otel-gelf/gelf-tail';
import { describe, expect, it } from 'vitest';
import { screen } from './screen.js';

const exampleDir = resolve(__dirname, '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/demo.ts` as `pnpm demo` does, off a terminal (plain progress lines, no colors). */
function runDemo(args: string[], columns = 100): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--conditions=@otel-gelf/source', '--import', 'tsx', 'src/demo.ts', ...args],
    {
      cwd: exampleDir,
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: undefined,
        SLOW_MAX_MS: '50',
        COLUMNS: String(columns),
      },
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
  it.each([80, 160])(
    'at %i columns: the first requests in full, then one line each, then the overview and Graylog',
    async (width) => {
      const run = await runDemo(['--', '--requests', '8', '--concurrency', '2'], width);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = screen(run.stdout, width);
      // Nothing wraps: the emulated terminal shows as many lines as were written.
      expect(lines).toHaveLength(run.stdout.split('\n').length);
      for (const line of lines) expect(line.length).toBeLessThan(width);
      expect(run.stdout).toContain('gelf-tail, embedded, on udp://127.0.0.1:');
      // Three in full: a header line, then the operations with every last duration.
      const headers = lines.filter((l) => /^#[1-3] {2}/.test(l));
      expect(headers).toHaveLength(3);
      for (const header of headers) {
        expect(header).toMatch(/(GET|POST) \/api 200 [\d.]+ ms/);
        expect(header).toMatch(/user_id=u-\d+ cache=(hit|miss)/);
      }
      const full = lines.slice(
        0,
        lines.findIndex((l) => l.includes('then one line per request')),
      );
      // A row whose samples do not fit goes on under its column (a line of numbers only).
      const fast = full.flatMap((l, k) => {
        if (!/^ {4}fast_stuff /.test(l)) return [];
        let row = l;
        for (let j = k + 1; /^ {20,}[\d. ]+$/.test(full[j] ?? ''); j++)
          row += ` ${full[j]!.trim()}`;
        return [row];
      });
      expect(fast).toHaveLength(3);
      // Where the time went: each request's own time, then the kinds of work.
      expect(full.filter((l) => /^ {4}self \d+\.\d{3} ms · .*other \d+ × /.test(l))).toHaveLength(
        3,
      );
      // count, min, max (at 160 columns the mean too), self, then the five samples
      const stats = width >= 160 ? '( +\\d+\\.\\d\\d){4}' : '( +\\d+\\.\\d\\d){3}';
      const shape = new RegExp(`^ {4}fast_stuff +13${stats}( +\\d+\\.\\d\\d){5}$`);
      for (const row of fast) expect(row).toMatch(shape);
      // Then one line per request, numbered 4 to 8 in the order they ended.
      const compact = lines.filter((l) => /^ +[4-8] {2}/.test(l));
      expect(compact.map((l) => Number(l.trim().split(' ')[0]))).toEqual([4, 5, 6, 7, 8]);
      for (const line of compact) {
        expect(line).toMatch(
          /(GET|POST) \/api 200 +[\d.]+ +\S.* [\d.]+ .*user_id=u-\d+ cache=(hit|miss)/,
        );
      }
      if (width >= 160) {
        const ended = compact.map((l) => /\d\d:\d\d:\d\d\.\d{3}/.exec(l)![0]);
        expect(ended).toEqual([...ended].sort());
      }
      expect(run.stdout).toMatch(/requests sent +8 {2}\(8 answered 200/);
      expect(run.stdout).toMatch(/summaries received +8 for \/api/);
      expect(run.stdout).toMatch(/^ +fast_stuff +104 +13 /m);
      expect(run.stdout).toMatch(/^ {4}_op_[\w-]+_max_ms +[\d.]+ +its longest call, ms$/m);
      expect(run.stdout).toMatch(/^ {4}_user_id +u-\d+ +annotateRequest\(\{ user_id \}\)$/m);
      expect(run.stdout).toMatch(/^ {4}_cache +(hit|miss) +annotateRequest\(\{ cache \}\)$/m);
      expect(run.stdout).toMatch(/^ {4}_op_[\w-]+_max_ms:>[\d.]+$/m);
      expect(run.stdout).toMatch(/^ {4}_service_name:express-api AND _duration_ms:>[\d.]+$/m);
      expect(run.stdout).toContain('✔ 8 requests, 8 GELF summaries: one per request');
      // off a terminal: plain progress lines, no carriage returns or escape codes
      expect(run.stdout).toContain('… 8/8 requests answered');
      expect(run.stdout).not.toContain('\r');
      expect(run.stdout).not.toContain('\u001b[');
    },
    60_000,
  );

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
