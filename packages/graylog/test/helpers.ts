import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';

/** Resolves once `check()` is true (polled every 10 ms); rejects after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A self-signed certificate for localhost / 127.0.0.1, made with openssl in a tmp dir. */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'otel-gelf-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP port nobody listens on (bound once, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Fails each test of the enclosing suite that leaves an unhandled rejection or exception. */
export function failOnUnhandledErrors(): void {
  let tracked: ReturnType<typeof trackUnhandled>;
  beforeEach(() => {
    tracked = trackUnhandled();
  });
  afterEach(() => {
    tracked.stop();
    expect(tracked.errors).toEqual([]);
  });
}

/** Records unhandled rejections and uncaught exceptions while a test runs. */
function trackUnhandled(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
    },
  };
}

/** Awaits `work` and fails the test if it took `limitMs` or longer; returns how long it took. */
export async function within(limitMs: number, work: Promise<unknown>): Promise<number> {
  const start = Date.now();
  await work;
  const took = Date.now() - start;
  if (took >= limitMs) throw new Error(`took ${took} ms, expected under ${limitMs} ms`);
  return took;
}
