import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createGelfReceiver, type GelfReceiver } from '../src/index.js';
import { chunk, gelf, sendUdp, until } from './helpers.js';

describe('createGelfReceiver › lifecycle', () => {
  const opened: GelfReceiver[] = [];
  const open = async (...args: Parameters<typeof createGelfReceiver>): Promise<GelfReceiver> => {
    const r = await createGelfReceiver(...args);
    opened.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
  });

  it('listens on every transport asked for, on distinct free ports', async () => {
    const r = await open({ udp: 0, tcp: 0, http: 0 });
    expect(r.ports).toEqual({
      udp: expect.any(Number),
      tcp: expect.any(Number),
      http: expect.any(Number),
    });
    expect(r.host).toBe('127.0.0.1');
  });

  it('rejects out-of-range options', async () => {
    await expect(createGelfReceiver({ udp: 70_000 })).rejects.toThrow(
      /udp port must be an integer 0–65535/,
    );
    await expect(createGelfReceiver({ tcp: -1 })).rejects.toThrow(RangeError);
    await expect(createGelfReceiver({ udp: 0, chunkTimeoutMs: 0 })).rejects.toThrow(
      /chunkTimeoutMs must be a positive number/,
    );
  });

  it('rejects when a port is taken, closing what it had opened', async () => {
    const first = await open({ tcp: 0 });
    await expect(createGelfReceiver({ udp: 0, tcp: first.ports.tcp! })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });

  it('waitForMessages rejects on timeout saying how many arrived', async () => {
    const r = await open({ udp: 0 });
    await sendUdp(r.ports.udp!, [Buffer.from(JSON.stringify(gelf())), Buffer.from('nope')]);
    await r.waitForMessages(1);
    await expect(r.waitForMessages(3, 200)).rejects.toThrow(
      /timed out after 200 ms; waited for 3 message\(s\); 1 message\(s\) arrived \(1 invalid, 0 chunk set\(s\) incomplete; last invalid: invalid JSON/,
    );
  });

  it('waitForMessage finds a stored message or waits for a matching one', async () => {
    const r = await open({ udp: 0 });
    await sendUdp(r.ports.udp!, [Buffer.from(JSON.stringify(gelf({ _k: 'a' })))]);
    expect((await r.waitForMessage((m) => m.message._k === 'a')).message._k).toBe('a');
    const later = r.waitForMessage((m) => m.message._k === 'c');
    await sendUdp(r.ports.udp!, [
      Buffer.from(JSON.stringify(gelf({ _k: 'b' }))),
      Buffer.from(JSON.stringify(gelf({ _k: 'c' }))),
    ]);
    expect((await later).message._k).toBe('c');
    const boom = r.waitForMessage(() => {
      throw new Error('predicate failed');
    });
    await expect(boom).rejects.toThrow('predicate failed');
  });

  it('close() rejects pending waits, is idempotent, and closes HTTP keep-alive connections', async () => {
    const r = await open({ udp: 0, http: 0 });
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: r.ports.http, method: 'POST', path: '/gelf', agent },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(gelf()));
    });
    expect(status).toBe(202);
    const sockets = Object.values(agent.freeSockets).flat();
    expect(sockets).toHaveLength(1);
    const closed = new Promise((resolve) => sockets[0]!.once('close', resolve));
    const pending = r.waitForMessages(5);
    await Promise.all([r.close(), r.close()]);
    await expect(pending).rejects.toThrow(
      /receiver closed; waited for 5 message\(s\); 1 message\(s\) arrived/,
    );
    await closed;
    agent.destroy();
    await expect(r.waitForMessages(2)).rejects.toThrow(/receiver closed/);
  });

  it('keeps at most maxStoredMessages and forgets them on clear()', async () => {
    const r = await open({ udp: 0, maxStoredMessages: 3 });
    await expect(r.waitForMessages(4)).rejects.toThrow(/only maxStoredMessages \(3\) are kept/);
    for (let n = 1; n <= 5; n++)
      await sendUdp(r.ports.udp!, [Buffer.from(JSON.stringify(gelf({ _n: n })))]);
    await r.waitForMessage((m) => m.message._n === 5);
    expect(r.messages.map((m) => m.message._n)).toEqual([3, 4, 5]);
    expect(r.stats().received).toBe(5);
    r.clear();
    expect(r.messages).toHaveLength(0);
  });

  it('drops the oldest incomplete chunk set beyond maxOpenChunkSets and says so', async () => {
    const r = await open({ udp: 0, maxOpenChunkSets: 2 });
    const reasons: string[] = [];
    r.on('invalid', (i) => reasons.push(`${i.remote} ${i.reason}`));
    const sets = [1, 2, 3].map((n) => chunk(Buffer.from(JSON.stringify(gelf({ _n: n }))), 30));
    await sendUdp(
      r.ports.udp!,
      sets.map((s) => s[0]!),
    );
    await until(() => r.stats().chunks === 3, 10_000, 'three chunks');
    expect(r.stats()).toMatchObject({ chunkSetsDropped: 1, chunkSetsOpen: 2 });
    expect(reasons[0]).toMatch(
      /^127\.0\.0\.1:\d+ chunk set [0-9a-f]{16} dropped with 1 of \d+ chunks/,
    );
    // The two newest sets still complete.
    await sendUdp(r.ports.udp!, [...sets[1]!.slice(1), ...sets[2]!.slice(1)]);
    const ms = await r.waitForMessages(2);
    expect(ms.map((m) => m.message._n).sort()).toEqual([2, 3]);
  });
});
