import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const fixture = join(import.meta.dirname, 'fixtures', 'tcp-stall-memory.ts');

describe('TcpTransport memory', () => {
  for (const mib of [4, 16]) {
    it(`a peer that never reads: arrayBuffers grow by at most 1.25 × maxBufferBytes (${mib} MiB; child process, --expose-gc)`, async () => {
      const bound = mib * 1024 * 1024;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--expose-gc',
          '--conditions=@otel-gelf/source',
          '--import',
          'tsx',
          fixture,
          String(bound),
        ],
        { cwd: root, timeout: 60_000 },
      );
      const r = JSON.parse(stdout.trim()) as {
        growth: number;
        pending: number;
        bufferFull: number;
      };
      // The buffer really filled (the bound was reached) …
      expect(r.bufferFull).toBeGreaterThan(0);
      expect(r.pending).toBeGreaterThan(0);
      // … and what it holds is what the bound says, not whole pooled slabs behind small frames.
      expect(r.growth).toBeLessThanOrEqual(1.25 * bound);
    }, 60_000);
  }
});
