import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  chunkedBytes,
  chunkPayload,
  datagramCount,
  MAX_CHUNKS,
  maxChunkedPayload,
} from '../gelf-chunks.js';
import type { GelfCompression, GelfOutcome, GelfOutcomeCallback } from '../types.js';
import { BaseTransport } from './base-transport.js';

/** Options of {@link UdpTransport}. */
export interface UdpTransportOptions {
  /** Graylog's host name or IP address; a name is resolved once, again after a send error. */
  host: string;
  /** Graylog's GELF UDP port. */
  port: number;
  /**
   * Largest datagram in bytes, chunk header included (1420 fits a WAN MTU; 8154 suits a LAN).
   * @defaultValue 1420
   */
  chunkSize?: number;
  /**
   * Payload compression. `auto` compresses a message of more than 4 datagrams, when that saves
   * one (smaller messages go as they are: chunks cost less CPU than zlib). @defaultValue 'auto'
   */
  compression?: GelfCompression;
  /**
   * Messages in flight (handed to the socket, send callback not yet back, or waiting for an
   * address); beyond, dropped (`inFlightCap`). The transport is `ready` below half of it, so one
   * default batch (512) goes out at once and a sender that waits for readiness never meets the
   * cap. @defaultValue 1024
   */
  maxInFlight?: number;
  /** Bytes in flight; beyond, dropped (`inFlightCap`). @defaultValue 16 MiB */
  maxInFlightBytes?: number;
}

/** Smallest and largest chunk size accepted (the largest is the IPv4 UDP payload limit). */
export const MIN_CHUNK_SIZE = 256;
export const MAX_CHUNK_SIZE = 65_507;
/** WAN-safe default datagram size. */
export const DEFAULT_CHUNK_SIZE = 1420;

// A lost address (DNS change, interface down) is looked up again at most this often.
const RELOOKUP_INTERVAL_MS = 1000;
// A failed connect() is retried after 100 ms, doubling up to 2 s (with jitter).
const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/** `body`, or a copy of it when it is the borrowed payload itself (a compressed body is new). */
function ownCopy(body: Buffer, payload: Buffer, borrowed: boolean): Buffer {
  return borrowed && body === payload ? Buffer.from(body) : body;
}

interface Waiting {
  datagrams: Buffer[];
  bytes: number;
  onOutcome: GelfOutcomeCallback | undefined;
}

/**
 * `auto` sends a message of up to this many datagrams as it is. Measured in a whole service
 * (bench/service): `deflateSync` of a 1.4–2 KB summary costs 16–20 µs of CPU, a second datagram
 * ~3 µs, so below a few chunks compressing costs far more than it saves; beyond, the bytes and the
 * chance of losing one of many chunks make it worth it.
 */
const AUTO_PLAIN_DATAGRAMS = 4;

/**
 * The buffer a chunked message is written into when its chunks fit it (most chunked messages:
 * 11 chunks of the default size); larger ones get buffers of their own.
 */
const SCRATCH_BYTES = 16 * 1024;

/**
 * GELF over UDP: one long-lived, unref'ed, connected socket; chunking (never an empty trailing
 * chunk); optional gzip/zlib compression; a cap on messages in flight. A message is `sent` when
 * every one of its datagrams' send callbacks came back without error: UDP confirms nothing
 * beyond that, so what the network or Graylog's receive buffer drops is never seen. A failed
 * `connect()` (no route yet, a bad address) is reported with its own error and retried with
 * backoff. Errors are counted and reported through a rate-limited `diag.warn`, never thrown.
 */
export class UdpTransport extends BaseTransport {
  readonly maxPayloadBytes: number;
  private readonly host: string;
  private readonly port: number;
  private readonly chunkSize: number;
  private readonly compression: GelfCompression;
  private readonly maxInFlight: number;
  private readonly maxInFlightBytes: number;
  private socket: Socket | undefined;
  private connected = false;
  private address: string | undefined;
  private family = 0;
  private lookingUp = false;
  private lastLookup = Number.NEGATIVE_INFINITY;
  private stale = false;
  /** Messages accepted before the socket was connected, as ready-to-send datagrams. */
  private waiting: Waiting[] = [];
  private inFlightBytes = 0;
  private connectFailures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Where the chunks of a message are written while no send waits in the socket's queue. */
  private scratch: Buffer | undefined;

  constructor(options: UdpTransportOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.compression = options.compression ?? 'auto';
    this.maxInFlight = options.maxInFlight ?? 1024;
    this.maxInFlightBytes = options.maxInFlightBytes ?? 16 * 1024 * 1024;
    this.maxPayloadBytes = maxChunkedPayload(this.chunkSize);
    const family = isIP(this.host);
    if (family !== 0) {
      this.address = this.host;
      this.family = family;
    }
  }

  /** Below half of `maxInFlight` messages and half of `maxInFlightBytes`. */
  get ready(): boolean {
    return (
      this.counters.pending * 2 < this.maxInFlight && this.inFlightBytes * 2 < this.maxInFlightBytes
    );
  }

  send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    return this.sendPayload(payload, onOutcome, false);
  }

  /** {@link send} for a payload valid only during the call: what is kept of it is a copy. */
  sendBorrowed(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    return this.sendPayload(payload, onOutcome, true);
  }

  private sendPayload(
    payload: Buffer,
    onOutcome: GelfOutcomeCallback | undefined,
    borrowed: boolean,
  ): boolean {
    const full =
      this.counters.pending >= this.maxInFlight ||
      this.inFlightBytes + payload.length > this.maxInFlightBytes;
    const detail = full
      ? `${this.label}: maxInFlight reached (${this.maxInFlight} messages or ${this.maxInFlightBytes} bytes in flight)`
      : undefined;
    if (!this.admit(payload, full ? 'inFlightCap' : undefined, detail, onOutcome)) return false;
    let body: Buffer | undefined;
    try {
      body = this.body(payload);
    } catch (err) {
      this.onNetworkError('compression failed', err as Error);
    }
    if (body === undefined) {
      return this.drop(
        'tooLarge',
        `${this.label}: message does not fit ${MAX_CHUNKS} chunks`,
        onOutcome,
      );
    }
    this.counters.accept();
    this.inFlightBytes += payload.length;
    const size = this.chunkSize;
    if (this.connected) {
      if (this.stale) this.resolve();
      const socket = this.socket!;
      if (body.length <= size) {
        this.transmit(socket, [ownCopy(body, payload, borrowed)], payload.length, onOutcome);
        return true;
      }
      // The chunks go into one reused buffer rather than buffers of their own: a datagram sent
      // at once (the usual case) is in the kernel when send() returns. One the socket had to
      // queue still points into its buffer until it is sent, so while any send waits in the
      // queue, messages get buffers of their own.
      if (chunkedBytes(body.length, size) > SCRATCH_BYTES || socket.getSendQueueCount() > 0) {
        this.transmit(socket, chunkPayload(body, size), payload.length, onOutcome);
        return true;
      }
      this.scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
      this.transmit(socket, chunkPayload(body, size, this.scratch), payload.length, onOutcome);
    } else {
      // Until the address is known and the socket connected (one round of the event loop), or
      // until the next connect() attempt after a failure.
      const datagrams =
        body.length <= size ? [ownCopy(body, payload, borrowed)] : chunkPayload(body, size);
      this.waiting.push({ datagrams, bytes: payload.length, onOutcome });
      if (this.address === undefined) this.resolve();
      else if (this.socket === undefined && this.retryTimer === undefined) this.openSocket();
    }
    return true;
  }

  protected async release(timeoutMs: number): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.counters.wait(timeoutMs);
    this.failWaiting('timeout', `${this.label}: not connected within ${timeoutMs} ms of close`);
    this.closeSocket();
  }

  protected get label(): string {
    return `GELF UDP ${this.host}:${this.port}`;
  }

  /** The payload compressed as configured; undefined when it would need over 128 chunks. */
  private body(payload: Buffer): Buffer | undefined {
    const size = this.chunkSize;
    let body = payload;
    const mode = this.compression;
    if (mode === 'auto') {
      const plain = datagramCount(payload.length, size);
      if (plain > AUTO_PLAIN_DATAGRAMS) {
        const z = deflateSync(payload);
        if (datagramCount(z.length, size) < plain) body = z;
      }
    } else if (mode !== 'none') {
      const z = mode === 'gzip' ? gzipSync(payload) : deflateSync(payload);
      // Incompressible data can grow past 128 chunks; the plain payload always fits.
      if (datagramCount(z.length, size) <= MAX_CHUNKS) body = z;
    }
    if (datagramCount(body.length, size) > MAX_CHUNKS) return undefined;
    return body;
  }

  private transmit(
    socket: Socket,
    datagrams: Buffer[],
    payloadBytes: number,
    onOutcome: GelfOutcomeCallback | undefined,
  ): void {
    const onSent = this.sentCallback(datagrams.length, payloadBytes, onOutcome);
    for (const datagram of datagrams) {
      this.counters.bytes += datagram.length;
      try {
        socket.send(datagram, onSent);
      } catch (err) {
        onSent(err as Error);
      }
    }
  }

  /**
   * The send callback shared by one message's datagrams: the message settles after its last
   * datagram, as failed if any of them failed. One closure per message, no state object.
   */
  private sentCallback(
    datagrams: number,
    payloadBytes: number,
    onOutcome: GelfOutcomeCallback | undefined,
  ): (err: Error | null) => void {
    let remaining = datagrams;
    let detail: string | undefined;
    return (err) => {
      if (err) detail ??= this.onSendError(err);
      if (--remaining === 0)
        this.finish(payloadBytes, detail === undefined ? 'sent' : 'network', detail, onOutcome);
    };
  }

  private onSendError(err: Error): string {
    // The address may be gone (DNS change): look the name up again on a later send.
    if (isIP(this.host) === 0) this.stale = true;
    return this.onNetworkError('send failed', err);
  }

  private finish(
    bytes: number,
    outcome: GelfOutcome,
    detail: string | undefined,
    onOutcome: GelfOutcomeCallback | undefined,
  ): void {
    this.inFlightBytes -= bytes;
    this.settle(outcome, detail, onOutcome);
  }

  private resolve(): void {
    const now = Date.now();
    if (
      this.lookingUp ||
      (this.address !== undefined && now - this.lastLookup < RELOOKUP_INTERVAL_MS)
    ) {
      return;
    }
    this.lookingUp = true;
    this.lastLookup = now;
    lookup(this.host, (err, address, family) => {
      this.lookingUp = false;
      // After close() gave up on them, nothing is left to send.
      if (this.closed && this.waiting.length === 0) return;
      if (err) {
        const detail = this.onNetworkError(`cannot resolve ${this.host}`, err);
        // Without an address the waiting messages cannot go anywhere.
        if (this.address === undefined) this.failWaiting('network', detail);
        return;
      }
      this.stale = false;
      this.useAddress(address, family);
      if (this.socket === undefined && this.retryTimer === undefined) this.openSocket();
    });
  }

  private useAddress(address: string, family: number): void {
    if (this.socket !== undefined && (family !== this.family || address !== this.address)) {
      // The socket is connected to the old address: the next send opens a new one.
      this.closeSocket();
    }
    this.address = address;
    this.family = family;
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }

  /**
   * A socket connected to Graylog's address: sends then skip the per-datagram address handling,
   * and ICMP "port unreachable" comes back as an error on a later send (counted as failed).
   */
  private openSocket(): Socket {
    const socket = createSocket(this.family === 6 ? 'udp6' : 'udp4');
    socket.on('error', (err) => {
      const detail = this.onNetworkError('socket error', err);
      // A socket that failed is replaced on the next send; what waited for it is lost.
      if (this.socket === socket) {
        this.closeSocket();
        this.failWaiting('network', detail);
      }
    });
    this.socket = socket;
    this.connected = false;
    // connect()'s callback gets the error when connecting fails (EACCES for a broadcast address,
    // ENETUNREACH while the network comes up …): without a look at it the socket would stay
    // unconnected and every send would fail with an unrelated argument error.
    socket.connect(this.port, this.address, (err?: Error) => {
      if (this.socket !== socket) return;
      if (err) {
        this.connectFailed(err);
        return;
      }
      this.connected = true;
      this.connectFailures = 0;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) this.transmit(socket, w.datagrams, w.bytes, w.onOutcome);
    });
    socket.unref();
    return socket;
  }

  /** Reports the real error, fails what waited, and tries again after a backoff. */
  private connectFailed(err: Error): void {
    const detail = this.onNetworkError(`cannot connect to ${this.address}:${this.port}`, err);
    this.closeSocket();
    this.failWaiting('network', detail);
    if (this.closed) return;
    const base = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** Math.min(this.connectFailures, 30));
    this.connectFailures++;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        // Messages that arrived meanwhile wait for this attempt; with none, the next send opens.
        if (this.waiting.length > 0 && this.socket === undefined && !this.closed) this.openSocket();
      },
      base * (0.5 + Math.random() * 0.5),
    );
    this.retryTimer.unref();
  }

  private failWaiting(outcome: GelfOutcome, detail: string): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) this.finish(w.bytes, outcome, detail, w.onOutcome);
  }
}
