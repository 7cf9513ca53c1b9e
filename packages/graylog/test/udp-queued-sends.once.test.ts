import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const fixture = join(import.meta.dirname, 'fixtures', 'udp-queued-sends.ts');

describe('UdpTransport with queued sends', () => {
  it('delivers every chunked message whole when the socket queues its datagrams (child process, --test-udp-no-try-send)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--test-udp-no-try-send', '--conditions=@otel-gelf/source', '--import', 'tsx', fixture],
      { cwd: root, timeout: 60_000 },
    );
    const r = JSON.parse(stdout.trim()) as {
      sent: number;
      received: number;
      whole: number;
      queued: number;
    };
    // The switch did its work: sends waited in the socket's queue …
    expect(r.queued).toBeGreaterThan(0);
    // … and every message arrived exactly as mapped, none garbled by a reused chunk buffer.
    expect(r.received).toBe(r.sent);
    expect(r.whole).toBe(r.sent);
  }, 60_000);
});
