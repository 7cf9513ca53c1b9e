import { randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGelfReceiver, type GelfReceiver } from '../src/index.js';
import { gelf, httpRequest } from './helpers.js';

describe('createGelfReceiver › HTTP', () => {
  let receiver: GelfReceiver;
  beforeEach(async () => {
    receiver = await createGelfReceiver({ http: 0, maxMessageBytes: 64 * 1024 });
  });
  afterEach(async () => {
    await receiver.close();
  });

  it.each([
    ['none', undefined, (b: Buffer) => b],
    ['gzip', 'gzip', (b: Buffer) => gzipSync(b)],
    ['zlib', 'deflate', (b: Buffer) => deflateSync(b)],
    ['zlib', 'deflate', (b: Buffer) => deflateRawSync(b)],
  ] as const)(
    'answers 202 to POST /gelf (%s, Content-Encoding %s)',
    async (compression, encoding, encode) => {
      const body = encode(Buffer.from(JSON.stringify(gelf({ _n: 7 }))));
      const res = await httpRequest(
        receiver.ports.http!,
        'POST',
        '/gelf',
        body,
        encoding ? { 'Content-Encoding': encoding } : {},
      );
      expect(res.status).toBe(202);
      const [m] = await receiver.waitForMessages(1);
      expect(m).toMatchObject({
        transport: 'http',
        compression,
        bytes: body.length,
        chunks: 1,
        message: { _n: 7 },
      });
    },
  );

  it('answers 404 to other paths and 405 to GET /gelf', async () => {
    expect((await httpRequest(receiver.ports.http!, 'GET', '/')).status).toBe(404);
    expect(
      (await httpRequest(receiver.ports.http!, 'POST', '/other', Buffer.from('{}'))).status,
    ).toBe(404);
    expect((await httpRequest(receiver.ports.http!, 'GET', '/gelf')).status).toBe(405);
    expect(receiver.stats()).toMatchObject({ httpRequests: 3, httpRejected: 3, received: 0 });
  });

  it('answers 400 to garbage and counts it, 415 to unknown encodings, 413 to big bodies', async () => {
    const port = receiver.ports.http!;
    expect((await httpRequest(port, 'POST', '/gelf', randomBytes(300))).status).toBe(400);
    expect((await httpRequest(port, 'POST', '/gelf', Buffer.from('{"a":'))).status).toBe(400);
    expect(
      (await httpRequest(port, 'POST', '/gelf', randomBytes(50), { 'Content-Encoding': 'gzip' }))
        .status,
    ).toBe(400);
    expect(
      (await httpRequest(port, 'POST', '/gelf', Buffer.from('{}'), { 'Content-Encoding': 'br' }))
        .status,
    ).toBe(415);
    const big = Buffer.from(JSON.stringify(gelf({ full_message: 'z'.repeat(100_000) })));
    expect((await httpRequest(port, 'POST', '/gelf', big)).status).toBe(413);
    expect(
      (await httpRequest(port, 'POST', '/gelf', gzipSync(big), { 'Content-Encoding': 'gzip' }))
        .status,
    ).toBe(400);
    expect(receiver.stats()).toMatchObject({ invalid: 4, decompressFailed: 2, received: 0 });
    const ok = await httpRequest(port, 'POST', '/gelf', Buffer.from(JSON.stringify(gelf())));
    expect(ok.status).toBe(202);
  });
});
