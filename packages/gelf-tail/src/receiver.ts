import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  type AddressInfo,
  createServer as createTcpServer,
  isIPv6,
  type Server,
  type Socket,
} from 'node:net';
import { bound } from './bound.js';
import { type DecompressResult, decompressPayload, detectCompression } from './decompress.js';
import { type HttpListener, startHttpListener } from './http-receiver.js';
import { formatRemote } from './remote.js';
import { TcpFramer } from './tcp-framer.js';
import type {
  GelfReceiver,
  GelfReceiverEvents,
  GelfReceiverOptions,
  GelfReceiverStats,
  GelfTransportName,
  ReceivedGelf,
} from './types.js';
import { ChunkReassembler, isChunkedDatagram } from './udp-chunks.js';
import { validateGelf } from './validate.js';

/** The port Graylog's GELF inputs listen on by default. */
export const DEFAULT_GELF_PORT = 12201;

const DEFAULT_WAIT_MS = 10_000;
// Datagrams arrive in bursts in load tests; ask for a big kernel buffer (Linux caps it quietly).
const UDP_RECV_BUFFER_BYTES = 8 * 1024 * 1024;

interface Meta {
  transport: GelfTransportName;
  remote: string;
  bytes: number;
  chunks: number;
  violations?: string[];
}

interface Waiter {
  /** Whether the waiter is satisfied now that `latest` arrived; resolves it when so. */
  offer: (latest: ReceivedGelf) => boolean;
  /** What it waits for, for error messages. */
  wants: string;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Settings {
  host: string;
  chunkTimeoutMs: number;
  maxOpenChunkSets: number;
  maxMessageBytes: number;
  maxTcpFrameBytes: number;
  maxStoredMessages: number;
  maxTcpConnections: number;
}

/**
 * Starts a GELF receiver: UDP (chunked or not; plain, GZIP or ZLIB), TCP (NUL-framed) and HTTP
 * (`POST /gelf`), on the ports asked for (0 = any free port; see `receiver.ports`). Every message
 * is parsed, checked with {@link validateGelf}, stored in `receiver.messages` and emitted as
 * `message`; anything that is no GELF message is counted and emitted as `invalid`, never thrown.
 * Rejects when a port cannot be bound or an option is out of range.
 *
 * @example
 * ```ts
 * const receiver = await createGelfReceiver({ udp: 0, tcp: 0 });
 * // send to receiver.ports.udp …
 * const [m] = await receiver.waitForMessages(1);
 * await receiver.close();
 * ```
 */
export async function createGelfReceiver(options: GelfReceiverOptions = {}): Promise<GelfReceiver> {
  const noneGiven =
    options.udp === undefined && options.tcp === undefined && options.http === undefined;
  const udp = noneGiven ? DEFAULT_GELF_PORT : checkPort('udp', options.udp);
  const tcp = noneGiven ? DEFAULT_GELF_PORT : checkPort('tcp', options.tcp);
  const http = checkPort('http', options.http);
  const settings: Settings = {
    host: options.host ?? '127.0.0.1',
    chunkTimeoutMs: checkPositive('chunkTimeoutMs', options.chunkTimeoutMs, 5000),
    maxOpenChunkSets: checkPositive('maxOpenChunkSets', options.maxOpenChunkSets, 1000),
    maxMessageBytes: checkPositive('maxMessageBytes', options.maxMessageBytes, 8 * 1024 * 1024),
    maxTcpFrameBytes: checkPositive('maxTcpFrameBytes', options.maxTcpFrameBytes, 2 * 1024 * 1024),
    maxStoredMessages: checkPositive('maxStoredMessages', options.maxStoredMessages, 10_000),
    maxTcpConnections: checkPositive('maxTcpConnections', options.maxTcpConnections, 1024),
  };
  const receiver = new GelfReceiverImpl(settings);
  try {
    if (udp !== false) await receiver.listenUdp(udp);
    if (tcp !== false) await receiver.listenTcp(tcp);
    if (http !== false) await receiver.listenHttp(http);
  } catch (err) {
    await receiver.close();
    throw err;
  }
  return receiver;
}

function checkPort(name: string, port: number | false | undefined): number | false {
  if (port === undefined || port === false) return false;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(
      `gelf-tail: ${name} port must be an integer 0–65535 or false (got ${port})`,
    );
  }
  return port;
}

function checkPositive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`gelf-tail: ${name} must be a positive number (got ${value})`);
  }
  return value;
}

class GelfReceiverImpl extends EventEmitter<GelfReceiverEvents> implements GelfReceiver {
  readonly ports: { udp?: number; tcp?: number; http?: number } = {};
  readonly messages: ReceivedGelf[] = [];
  readonly host: string;
  private readonly settings: Settings;
  private readonly reassembler: ChunkReassembler;
  private udpSocket: UdpSocket | undefined;
  private tcpServer: Server | undefined;
  private readonly tcpSockets = new Set<Socket>();
  private httpListener: HttpListener | undefined;
  private waiters: Waiter[] = [];
  private closing: Promise<void> | undefined;
  private lastInvalidReason: string | undefined;
  private readonly counters = {
    received: 0,
    receivedByTransport: { udp: 0, tcp: 0, http: 0 },
    invalid: 0,
    withViolations: 0,
    datagrams: 0,
    decompressFailed: 0,
    tcpConnections: 0,
    tcpFramesOversized: 0,
    httpRequests: 0,
    httpRejected: 0,
    socketErrors: 0,
  };

  constructor(settings: Settings) {
    super();
    this.settings = settings;
    this.host = settings.host;
    this.reassembler = new ChunkReassembler({
      timeoutMs: settings.chunkTimeoutMs,
      maxOpenSets: settings.maxOpenChunkSets,
      onDiscard: (d) =>
        this.refuse(
          'udp',
          d.remote,
          d.why === 'expired'
            ? `chunk set ${d.id} expired with ${d.received} of ${d.count} chunks`
            : `chunk set ${d.id} dropped with ${d.received} of ${d.count} chunks (too many open sets)`,
          d.bytes,
        ),
    });
  }

  async listenUdp(port: number): Promise<void> {
    const socket = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4' });
    this.udpSocket = socket;
    await bound(socket, (ready) => socket.bind(port, this.host, ready));
    socket.on('error', (err) => this.socketError(err));
    try {
      socket.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
    } catch {
      // The default buffer still works; it only drops sooner under bursts.
    }
    socket.on('message', (datagram, rinfo) =>
      this.onDatagram(datagram, formatRemote(rinfo.address, rinfo.port)),
    );
    this.ports.udp = socket.address().port;
  }

  async listenTcp(port: number): Promise<void> {
    const server = createTcpServer((socket) => this.onTcpConnection(socket));
    server.maxConnections = this.settings.maxTcpConnections;
    this.tcpServer = server;
    await bound(server, (ready) => server.listen(port, this.host, ready));
    server.on('error', (err) => this.socketError(err));
    this.ports.tcp = (server.address() as AddressInfo).port;
  }

  async listenHttp(port: number): Promise<void> {
    const listener = await startHttpListener({
      host: this.host,
      port,
      maxMessageBytes: this.settings.maxMessageBytes,
      onPayload: ({ payload, remote, bytes }) =>
        this.ingest(payload, { transport: 'http', remote, bytes, chunks: 1 }),
      onAnswered: (status) => {
        this.counters.httpRequests++;
        if (status !== 202) this.counters.httpRejected++;
      },
    });
    this.httpListener = listener;
    this.ports.http = listener.port;
  }

  waitForMessages(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedGelf[]> {
    if (this.messages.length >= count) return Promise.resolve(this.messages.slice());
    if (count > this.settings.maxStoredMessages) {
      return Promise.reject(
        new RangeError(
          `gelf-tail: waitForMessages(${count}): only maxStoredMessages (${this.settings.maxStoredMessages}) are kept`,
        ),
      );
    }
    return this.wait(`${count} message(s)`, timeoutMs, (resolve) => () => {
      if (this.messages.length < count) return false;
      resolve(this.messages.slice());
      return true;
    });
  }

  waitForMessage(
    predicate: (m: ReceivedGelf) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ReceivedGelf> {
    let found: ReceivedGelf | undefined;
    try {
      found = this.messages.find(predicate);
    } catch (err) {
      return Promise.reject(err);
    }
    if (found !== undefined) return Promise.resolve(found);
    return this.wait(
      'a message matching the predicate',
      timeoutMs,
      (resolve, reject) => (latest) => {
        // A throwing predicate fails its own wait, never the socket handler that called it.
        try {
          if (!predicate(latest)) return false;
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return true;
        }
        resolve(latest);
        return true;
      },
    );
  }

  private wait<T>(
    wants: string,
    timeoutMs: number,
    makeOffer: (resolve: (value: T) => void, reject: (err: Error) => void) => Waiter['offer'],
  ): Promise<T> {
    if (this.closing !== undefined) {
      return Promise.reject(
        new Error(`gelf-tail: receiver closed; ${this.describeProgress(wants)}`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        offer: makeOffer(resolve, reject),
        wants,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new Error(
              `gelf-tail: timed out after ${timeoutMs} ms; ${this.describeProgress(wants)}`,
            ),
          );
        }, timeoutMs),
      };
      waiter.timer.unref();
      this.waiters.push(waiter);
    });
  }

  stats(): GelfReceiverStats {
    const chunks = this.reassembler.stats();
    return {
      ...this.counters,
      receivedByTransport: { ...this.counters.receivedByTransport },
      chunks: chunks.chunks,
      duplicateChunks: chunks.duplicateChunks,
      chunksRejected: chunks.chunksRejected,
      chunkSetsExpired: chunks.chunkSetsExpired,
      chunkSetsDropped: chunks.chunkSetsDropped,
      chunkSetsOpen: chunks.chunkSetsOpen,
    };
  }

  clear(): void {
    this.messages.length = 0;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`gelf-tail: receiver closed; ${this.describeProgress(w.wants)}`));
    }
    const udp = this.udpSocket;
    const tcp = this.tcpServer;
    const closings: Promise<void>[] = [];
    if (udp !== undefined) {
      closings.push(
        new Promise((resolve) => {
          try {
            udp.close(() => resolve());
          } catch {
            resolve(); // never bound, or closed already
          }
        }),
      );
    }
    if (tcp !== undefined) {
      closings.push(new Promise((resolve) => tcp.close(() => resolve())));
      for (const socket of this.tcpSockets) socket.destroy();
      this.tcpSockets.clear();
    }
    if (this.httpListener !== undefined) closings.push(this.httpListener.close());
    await Promise.all(closings);
    this.reassembler.clear();
  }

  private describeProgress(wants: string): string {
    const s = this.counters;
    const last =
      this.lastInvalidReason === undefined ? '' : `; last invalid: ${this.lastInvalidReason}`;
    return (
      `waited for ${wants}; ${this.messages.length} message(s) arrived ` +
      `(${s.invalid} invalid, ${this.reassembler.stats().chunkSetsOpen} chunk set(s) incomplete${last})`
    );
  }

  private onDatagram(datagram: Buffer, remote: string): void {
    this.counters.datagrams++;
    if (this.closing !== undefined) return;
    if (datagram.length === 0) {
      this.refuse('udp', remote, 'empty datagram', 0);
      return;
    }
    let payload = datagram;
    let chunks = 1;
    let bytes = datagram.length;
    if (isChunkedDatagram(datagram)) {
      const r = this.reassembler.push(datagram, remote);
      if (r.kind === 'rejected') {
        this.refuse('udp', remote, r.reason, datagram.length);
        return;
      }
      if (r.kind !== 'complete') return;
      payload = r.payload;
      chunks = r.chunks;
      bytes = r.bytes;
    }
    const plain = decompressPayload(payload, this.settings.maxMessageBytes);
    this.ingest(plain, { transport: 'udp', remote, bytes, chunks });
  }

  private onTcpConnection(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    this.counters.tcpConnections++;
    this.tcpSockets.add(socket);
    const remote = formatRemote(socket.remoteAddress, socket.remotePort);
    const framer = new TcpFramer(this.settings.maxTcpFrameBytes);
    let oversized = 0;
    socket.on('data', (data: Buffer) => {
      const frames = framer.push(data);
      const nowOversized = framer.stats().oversized;
      while (oversized < nowOversized) {
        oversized++;
        this.counters.tcpFramesOversized++;
        this.refuse(
          'tcp',
          remote,
          `frame longer than ${this.settings.maxTcpFrameBytes} bytes dropped`,
          0,
        );
      }
      for (const frame of frames) this.ingestTcpFrame(frame, remote);
    });
    socket.on('end', () => {
      const rest = framer.end();
      if (rest !== undefined) {
        this.ingestTcpFrame(rest, remote, [
          'TCP frame not terminated by a NUL byte before the connection ended (Graylog discards it)',
        ]);
      }
    });
    socket.on('error', (err) => this.socketError(err));
    socket.on('close', () => this.tcpSockets.delete(socket));
  }

  private ingestTcpFrame(frame: Buffer, remote: string, violations?: string[]): void {
    const plain: DecompressResult =
      frame.length > this.settings.maxMessageBytes
        ? {
            ok: false,
            reason: `frame of ${frame.length} bytes exceeds ${this.settings.maxMessageBytes}`,
            compression: 'none',
          }
        : { ok: true, data: frame, compression: 'none' };
    this.ingest(plain, { transport: 'tcp', remote, bytes: frame.length, chunks: 1, violations });
  }

  /** Parses one whole payload; returns why it is no GELF message, or undefined when it is one. */
  private ingest(plain: DecompressResult, meta: Meta): string | undefined {
    if (!plain.ok) {
      this.counters.decompressFailed++;
      return this.refuse(meta.transport, meta.remote, plain.reason, meta.bytes);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(plain.data.toString('utf8'));
    } catch (err) {
      let reason = `invalid JSON: ${err instanceof Error ? err.message : String(err)}`;
      if (meta.transport === 'tcp' && detectCompression(plain.data) !== 'none') {
        reason = 'compressed frame on TCP (GELF over TCP is never compressed)';
      }
      return this.refuse(meta.transport, meta.remote, reason, meta.bytes);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return this.refuse(
        meta.transport,
        meta.remote,
        `JSON is not an object (got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed})`,
        meta.bytes,
      );
    }
    const violations = validateGelf(parsed);
    if (meta.violations !== undefined) violations.push(...meta.violations);
    const received: ReceivedGelf = {
      message: parsed as Record<string, unknown>,
      transport: meta.transport,
      remote: meta.remote,
      bytes: meta.bytes,
      compression: plain.compression,
      chunks: meta.chunks,
      violations,
      receivedAt: Date.now(),
    };
    this.counters.received++;
    this.counters.receivedByTransport[meta.transport]++;
    if (violations.length > 0) this.counters.withViolations++;
    this.messages.push(received);
    if (this.messages.length > this.settings.maxStoredMessages) this.messages.shift();
    this.settle(received);
    this.emit('message', received);
    return undefined;
  }

  private settle(latest: ReceivedGelf): void {
    if (this.waiters.length === 0) return;
    const pending: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.offer(latest)) clearTimeout(w.timer);
      else pending.push(w);
    }
    this.waiters = pending;
  }

  private refuse(
    transport: GelfTransportName,
    remote: string,
    reason: string,
    bytes: number,
  ): string {
    this.counters.invalid++;
    this.lastInvalidReason = reason;
    this.emit('invalid', { transport, remote, reason, bytes });
    return reason;
  }

  private socketError(err: Error): void {
    this.counters.socketErrors++;
    if (this.listenerCount('warning') > 0) this.emit('warning', err);
  }
}
