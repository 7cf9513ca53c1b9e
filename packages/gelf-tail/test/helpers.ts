import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { connect } from 'node:net';

/** A small valid GELF message. */
export function gelf(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: '1.1', host: 'test-host', short_message: 'hello', level: 6, ...extra };
}

/** Sends datagrams, in order, from one socket. */
export async function sendUdp(
  port: number,
  datagrams: Buffer[],
  host = '127.0.0.1',
): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) =>
        socket.send(d, port, host, (err) => (err ? reject(err) : resolve())),
      );
    }
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** Splits a payload into GELF chunk datagrams (magic, 8-byte id, seq, count). */
export function chunk(
  payload: Buffer,
  size: number,
  id: Buffer = randomBytes(8),
  count?: number,
): Buffer[] {
  const parts: Buffer[] = [];
  for (let off = 0; off < payload.length; off += size)
    parts.push(payload.subarray(off, off + size));
  const total = count ?? parts.length;
  return parts.map((p, seq) =>
    Buffer.concat([Buffer.from([0x1e, 0x0f]), id, Buffer.from([seq, total]), p]),
  );
}

/** Opens a TCP connection, writes each piece (waiting for it to flush, then a tick), and ends. */
export async function sendTcp(port: number, pieces: Buffer[], host = '127.0.0.1'): Promise<void> {
  const socket = connect({ port, host, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) =>
      socket.write(piece, (err) => (err ? reject(err) : resolve())),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.on('error', () => {});
    socket.end();
  });
}

/** Makes one HTTP request with `Connection: close`; resolves with the status and body. */
export function httpRequest(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { Connection: 'close', ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until(
  predicate: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
