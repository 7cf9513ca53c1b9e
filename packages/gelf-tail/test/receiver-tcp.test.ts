import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGelfReceiver, type GelfReceiver, type InvalidGelf } from '../src/index.js';
import { gelf, sendTcp, until } from './helpers.js';

const NUL = Buffer.from([0]);
const frame = (o: unknown): Buffer => Buffer.concat([Buffer.from(JSON.stringify(o)), NUL]);

describe('createGelfReceiver › TCP', () => {
  let receiver: GelfReceiver;
  let invalid: InvalidGelf[];
  beforeEach(async () => {
    receiver = await createGelfReceiver({ tcp: 0, maxTcpFrameBytes: 4096 });
    invalid = [];
    receiver.on('invalid', (i) => invalid.push(i));
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('splits several NUL-terminated frames from one write', async () => {
    await sendTcp(receiver.ports.tcp!, [
      Buffer.concat([frame(gelf({ _n: 1 })), frame(gelf({ _n: 2 })), NUL, frame(gelf({ _n: 3 }))]),
    ]);
    const ms = await receiver.waitForMessages(3);
    expect(ms.map((m) => m.message._n)).toEqual([1, 2, 3]);
    expect(ms[0]).toMatchObject({
      transport: 'tcp',
      compression: 'none',
      chunks: 1,
      violations: [],
    });
    expect(ms[0]!.bytes).toBe(frame(gelf({ _n: 1 })).length - 1);
  });

  it('joins one frame split across many writes', async () => {
    const f = frame(gelf({ full_message: 'y'.repeat(1000) }));
    const pieces = [f.subarray(0, 1), f.subarray(1, 10), f.subarray(10, 600), f.subarray(600)];
    await sendTcp(receiver.ports.tcp!, pieces);
    const [m] = await receiver.waitForMessages(1);
    expect(m!.message.full_message).toBe('y'.repeat(1000));
    expect(receiver.stats().tcpConnections).toBe(1);
  });

  it('drops an oversized frame, counts it, and parses the next frame', async () => {
    const huge = Buffer.concat([
      Buffer.from('{"version":"1.1","x":"'),
      Buffer.alloc(10_000, 0x61),
      Buffer.from('"}'),
      NUL,
    ]);
    await sendTcp(receiver.ports.tcp!, [
      huge.subarray(0, 3000),
      huge.subarray(3000),
      frame(gelf({ _n: 9 })),
    ]);
    const [m] = await receiver.waitForMessages(1);
    expect(m!.message._n).toBe(9);
    expect(receiver.stats().tcpFramesOversized).toBe(1);
    expect(receiver.stats().invalid).toBe(1);
    expect(invalid[0]!.reason).toMatch(/longer than 4096/);
  });

  it('parses an unterminated last frame but flags it', async () => {
    await sendTcp(receiver.ports.tcp!, [Buffer.from(JSON.stringify(gelf()))]);
    const [m] = await receiver.waitForMessages(1);
    expect(m!.violations.join()).toMatch(/not terminated by a NUL/);
  });

  it('counts garbage frames as invalid and keeps the connection working', async () => {
    await sendTcp(receiver.ports.tcp!, [
      Buffer.concat([randomBytes(100).map((b) => b || 1), NUL]),
      Buffer.from('{"version":\0'),
      Buffer.from([0x1f, 0x8b, 8, 1, 2, 0]),
      frame(gelf({ _n: 1 })),
    ]);
    await receiver.waitForMessages(1);
    expect(receiver.stats().invalid).toBe(3);
    expect(invalid[2]!.reason).toMatch(/compressed frame on TCP/);
  });

  it('closes open connections on close()', async () => {
    const { connect } = await import('node:net');
    const socket = connect({ port: receiver.ports.tcp!, host: '127.0.0.1' });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    await until(() => receiver.stats().tcpConnections === 1, 10_000, 'connection');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await receiver.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
