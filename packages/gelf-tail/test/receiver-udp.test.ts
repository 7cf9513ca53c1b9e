import { randomBytes } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGelfReceiver, type GelfReceiver, type InvalidGelf } from '../src/index.js';
import { chunk, gelf, sendUdp, until } from './helpers.js';

describe('createGelfReceiver › UDP', () => {
  let receiver: GelfReceiver;
  let invalid: InvalidGelf[];
  beforeEach(async () => {
    receiver = await createGelfReceiver({ udp: 0, chunkTimeoutMs: 300 });
    invalid = [];
    receiver.on('invalid', (i) => invalid.push(i));
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('binds a free port when asked for port 0 and listens on nothing else', () => {
    expect(receiver.ports.udp).toBeGreaterThan(0);
    expect(receiver.ports.tcp).toBeUndefined();
    expect(receiver.ports.http).toBeUndefined();
  });

  it.each([
    ['none', (b: Buffer) => b],
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['zlib', (b: Buffer) => deflateSync(b)],
  ] as const)('receives an unchunked %s datagram', async (compression, encode) => {
    const wire = encode(Buffer.from(JSON.stringify(gelf({ _n: 1 }))));
    await sendUdp(receiver.ports.udp!, [wire]);
    const [m] = await receiver.waitForMessages(1);
    expect(m).toMatchObject({
      transport: 'udp',
      compression,
      chunks: 1,
      bytes: wire.length,
      violations: [],
      message: { short_message: 'hello', _n: 1 },
    });
    expect(m!.remote).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('reassembles chunks sent out of order with a duplicate', async () => {
    const big = gelf({ full_message: randomBytes(3000).toString('base64') });
    const wire = gzipSync(Buffer.from(JSON.stringify(big)), { level: 0 });
    const chunks = chunk(wire, 1000);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const shuffled = [
      chunks[3]!,
      chunks[1]!,
      chunks[1]!,
      ...chunks.slice(4),
      chunks[0]!,
      chunks[2]!,
    ];
    await sendUdp(receiver.ports.udp!, shuffled);
    const [m] = await receiver.waitForMessages(1);
    expect(m!.message).toEqual(big);
    expect(m!.chunks).toBe(chunks.length);
    expect(m!.compression).toBe('gzip');
    expect(m!.bytes).toBe(chunks.reduce((n, c) => n + c.length, 0));
    expect(receiver.stats().duplicateChunks).toBe(1);
    expect(receiver.messages).toHaveLength(1);
  });

  it('rejects a chunk set announcing more than 128 chunks', async () => {
    const wire = Buffer.from(JSON.stringify(gelf()));
    await sendUdp(receiver.ports.udp!, chunk(wire, 20, randomBytes(8), 129));
    await until(() => receiver.stats().chunksRejected >= 2, 10_000, 'rejected chunks');
    expect(receiver.messages).toHaveLength(0);
    expect(invalid[0]!.reason).toMatch(/129 exceeds 128/);
    expect(receiver.stats().chunkSetsOpen).toBe(0);
  });

  it('forgets an incomplete chunk set after chunkTimeoutMs and counts it', async () => {
    const wire = Buffer.from(JSON.stringify(gelf({ full_message: 'x'.repeat(500) })));
    const chunks = chunk(wire, 100);
    await sendUdp(receiver.ports.udp!, chunks.slice(0, -1));
    await until(() => receiver.stats().chunkSetsExpired === 1, 10_000, 'expiry');
    expect(receiver.stats()).toMatchObject({ chunkSetsOpen: 0, received: 0, invalid: 1 });
    expect(invalid[0]!.reason).toMatch(/expired with \d+ of \d+ chunks/);
    // The last chunk alone now opens a new set, which never completes.
    await sendUdp(receiver.ports.udp!, chunks.slice(-1));
    await until(() => receiver.stats().chunkSetsExpired === 2, 10_000, 'second expiry');
    expect(receiver.messages).toHaveLength(0);
  });

  it('counts garbage as invalid and keeps working', async () => {
    await sendUdp(receiver.ports.udp!, [
      randomBytes(200),
      Buffer.from('{"version":"1.1",'),
      Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]),
      Buffer.from([0x78, 0x9c, 0xff, 0xff]),
      Buffer.from('[1,2]'),
      Buffer.from([0x1e, 0x0f, 1]),
    ]);
    await until(() => receiver.stats().invalid >= 6, 10_000, 'invalid count');
    await sendUdp(receiver.ports.udp!, [Buffer.from(JSON.stringify(gelf()))]);
    await receiver.waitForMessages(1);
    expect(invalid.map((i) => i.reason).join('\n')).toMatch(
      /invalid JSON[\s\S]*bad gzip[\s\S]*bad zlib/,
    );
  });

  it('bounds the decompressed size', async () => {
    await receiver.close();
    receiver = await createGelfReceiver({ udp: 0, maxMessageBytes: 10_000 });
    receiver.on('invalid', (i) => invalid.push(i));
    const bomb = gzipSync(Buffer.from(JSON.stringify(gelf({ full_message: ' '.repeat(50_000) }))));
    await sendUdp(receiver.ports.udp!, [bomb]);
    await until(() => invalid.length === 1, 10_000, 'invalid');
    expect(invalid[0]!.reason).toMatch(/inflates beyond 10000/);
    expect(receiver.stats().decompressFailed).toBe(1);
  });
});
