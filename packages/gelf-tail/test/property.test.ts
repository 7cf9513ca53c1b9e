import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkReassembler, decompressPayload, TcpFramer, validateGelf } from '../src/index.js';

const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a));
// Half of the datagrams look like chunks, so the header checks get exercised, not just the magic test.
const datagram = fc.oneof(
  bytes,
  fc
    .tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat(255), fc.nat(255), bytes)
    .map(([id, seq, count, rest]) =>
      Buffer.concat([Buffer.from([0x1e, 0x0f]), id, Buffer.from([seq % 8, count % 8]), rest]),
    ),
);

describe('parsers on random input', () => {
  it('ChunkReassembler and decompressPayload never throw and keep their bounds', () => {
    fc.assert(
      fc.property(fc.array(datagram, { maxLength: 40 }), (datagrams) => {
        const r = new ChunkReassembler({ maxOpenSets: 4 });
        for (const d of datagrams) {
          const out = r.push(d);
          if (out.kind === 'complete') decompressPayload(out.payload, 10_000);
          decompressPayload(d, 10_000);
          expect(r.stats().chunkSetsOpen).toBeLessThanOrEqual(4);
        }
        r.clear();
      }),
      { numRuns: 300 },
    );
  });

  it('TcpFramer never throws, never hands out an empty or oversized frame, and loses no byte', () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 20 }), (pieces) => {
        const f = new TcpFramer(64);
        const frames = pieces.flatMap((p) => f.push(p));
        for (const frame of frames) {
          expect(frame.length).toBeGreaterThan(0);
          expect(frame.length).toBeLessThanOrEqual(64);
          expect(frame.includes(0)).toBe(false);
        }
        if (f.stats().oversized === 0) {
          const all = Buffer.concat(pieces);
          const expected = all.toString('latin1').split('\0');
          expected.pop(); // the bytes after the last NUL are still buffered
          expect(frames.map((x) => x.toString('latin1'))).toEqual(expected.filter((s) => s !== ''));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('validateGelf never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(Array.isArray(validateGelf(v))).toBe(true);
      }),
    );
  });
});

describe('a live receiver fed random bytes', () => {
  it('survives random datagrams and TCP streams and still receives the next message', async () => {
    const { createGelfReceiver } = await import('../src/index.js');
    const { sendTcp, sendUdp, gelf } = await import('./helpers.js');
    const receiver = await createGelfReceiver({
      udp: 0,
      tcp: 0,
      chunkTimeoutMs: 200,
      maxTcpFrameBytes: 256,
    });
    try {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(datagram, { minLength: 1, maxLength: 10 }),
          fc.array(bytes, { maxLength: 6 }),
          async (datagrams, pieces) => {
            n++;
            // Empty datagrams are legal on the wire; they are counted as invalid too.
            await sendUdp(receiver.ports.udp!, datagrams);
            // A leading NUL ends whatever garbage is pending, so the probe frame stands alone.
            await sendTcp(receiver.ports.tcp!, [
              ...pieces,
              Buffer.from(`\0${JSON.stringify(gelf({ _probe: n }))}\0`),
            ]);
            await receiver.waitForMessage((m) => m.message._probe === n && m.transport === 'tcp');
          },
        ),
        { numRuns: 25 },
      );
      expect(receiver.stats().invalid).toBeGreaterThan(0);
    } finally {
      await receiver.close();
    }
  });
});
