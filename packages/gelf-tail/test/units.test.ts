import { randomBytes } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ChunkReassembler, decompressPayload, detectCompression, TcpFramer } from '../src/index.js';
import { chunk } from './helpers.js';

describe('detectCompression and decompressPayload', () => {
  it('tells gzip, zlib and plain apart by magic bytes', () => {
    const json = Buffer.from('{"a":1}');
    expect(detectCompression(gzipSync(json))).toBe('gzip');
    for (const level of [1, 6, 9])
      expect(detectCompression(deflateSync(json, { level }))).toBe('zlib');
    expect(detectCompression(json)).toBe('none');
    expect(detectCompression(Buffer.from([0x78]))).toBe('none');
    expect(detectCompression(Buffer.from('xy'))).toBe('none');
  });

  it('inflates up to maxBytes and refuses beyond', () => {
    const big = gzipSync(Buffer.alloc(1000, 0x20));
    expect(decompressPayload(big, 1000)).toMatchObject({ ok: true, compression: 'gzip' });
    expect(decompressPayload(big, 999)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/beyond 999/),
    });
    expect(decompressPayload(Buffer.alloc(10), 5)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/exceeds 5/),
    });
  });
});

describe('ChunkReassembler', () => {
  it('completes a set in any order and reports wire bytes', () => {
    const r = new ChunkReassembler();
    const payload = randomBytes(250);
    const cs = chunk(payload, 100);
    expect(r.push(cs[2]!)).toEqual({ kind: 'pending' });
    expect(r.push(cs[0]!)).toEqual({ kind: 'pending' });
    expect(r.push(cs[0]!)).toEqual({ kind: 'duplicate' });
    const done = r.push(cs[1]!);
    expect(done).toMatchObject({ kind: 'complete', chunks: 3, bytes: 250 + 3 * 12 });
    expect(done.kind === 'complete' && done.payload.equals(payload)).toBe(true);
    expect(r.stats()).toMatchObject({
      chunkSetsOpen: 0,
      duplicateChunks: 1,
      chunkSetsCompleted: 1,
    });
    r.clear();
  });

  it('refuses bad headers', () => {
    const r = new ChunkReassembler();
    const id = randomBytes(8);
    const head = (seq: number, count: number) =>
      Buffer.concat([Buffer.from([0x1e, 0x0f]), id, Buffer.from([seq, count, 1])]);
    expect(r.push(Buffer.from([0x1e, 0x0f, 0]))).toMatchObject({ kind: 'rejected' });
    expect(r.push(head(0, 0))).toMatchObject({ kind: 'rejected', reason: 'chunk count is 0' });
    expect(r.push(head(0, 129))).toMatchObject({
      kind: 'rejected',
      reason: expect.stringMatching(/exceeds 128/),
    });
    expect(r.push(head(3, 3))).toMatchObject({
      kind: 'rejected',
      reason: expect.stringMatching(/>= count/),
    });
    expect(r.push(head(0, 3))).toEqual({ kind: 'pending' });
    expect(r.push(head(1, 4))).toMatchObject({
      kind: 'rejected',
      reason: expect.stringMatching(/differs/),
    });
    expect(r.stats()).toMatchObject({ chunksRejected: 5, chunkSetsOpen: 1 });
    r.clear();
  });

  it('drops the oldest set beyond maxOpenSets and tells why', () => {
    const discards: string[] = [];
    const r = new ChunkReassembler({
      maxOpenSets: 2,
      onDiscard: (d) => discards.push(`${d.why} ${d.received}/${d.count}`),
    });
    const sets = [0, 1, 2].map(() => chunk(randomBytes(30), 10));
    for (const s of sets) r.push(s[0]!);
    expect(r.stats()).toMatchObject({ chunkSetsOpen: 2, chunkSetsDropped: 1 });
    expect(discards).toEqual(['dropped 1/3']);
    // The first set is gone: its remaining chunks start a new, incomplete set.
    expect(r.push(sets[0]![1]!)).toEqual({ kind: 'pending' });
    expect(r.push(sets[2]![1]!)).toEqual({ kind: 'pending' });
    expect(r.push(sets[2]![2]!)).toMatchObject({ kind: 'complete' });
    r.clear();
  });

  it('bounds the bytes held by incomplete sets', () => {
    const r = new ChunkReassembler({ maxPendingBytes: 1000 });
    for (let i = 0; i < 5; i++) r.push(chunk(randomBytes(800), 400)[0]!);
    expect(r.stats().chunkSetsDropped).toBeGreaterThanOrEqual(2);
    expect(r.stats().chunkSetsOpen).toBeLessThanOrEqual(2);
    r.clear();
  });
});

describe('TcpFramer', () => {
  it('joins a frame split byte by byte and skips empty frames', () => {
    const f = new TcpFramer(100);
    const out: string[] = [];
    for (const b of Buffer.from('ab\0\0\0cd\0e')) out.push(...f.push(Buffer.from([b])).map(String));
    expect(out).toEqual(['ab', 'cd']);
    expect(f.bufferedBytes).toBe(1);
    expect(String(f.end())).toBe('e');
    expect(f.end()).toBeUndefined();
  });

  it('drops an oversized frame whole, also when it spans writes', () => {
    const f = new TcpFramer(5);
    expect(f.push(Buffer.from('123456\0ok\0')).map(String)).toEqual(['ok']);
    expect(f.push(Buffer.from('1234'))).toEqual([]);
    expect(f.push(Buffer.from('5678'))).toEqual([]);
    expect(f.bufferedBytes).toBe(0);
    expect(f.push(Buffer.from('9\0next\0')).map(String)).toEqual(['next']);
    expect(f.stats()).toEqual({ frames: 2, oversized: 2 });
  });
});
