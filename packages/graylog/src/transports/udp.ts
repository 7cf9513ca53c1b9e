import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { chunkPayload, datagramCount, MAX_CHUNKS, maxChunkedPayload } from '../gelf-chunks.js';
import { RateLimitedWarning } from '../rate-limited-warning.js';
import type { GelfCompression } from '../types.js';
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
  /** Payload compression. `auto` compresses only when that saves a chunk. @defaultValue 'auto' */
  compression?: GelfCompression;
  /** Messages in flight (waiting for the socket or an address); beyond, dropped. @defaultValue 1024 */
  maxInFlight?: number;
  /** Bytes in flight; beyond, dropped. @defaultValue 16 MiB */
  maxInFlightBytes?: number;
}

/** Smallest and largest chunk size accepted (the largest is the IPv4 UDP payload limit). */
export const MIN_CHUNK_SIZE = 256;
export const MAX_CHUNK_SIZE = 65_507;
/** WAN-safe default datagram size. */
export const DEFAULT_CHUNK_SIZE = 1420;

// A lost address (DNS change, interface down) is looked up again at most this often.
const RELOOKUP_INTERVAL_MS = 1000;

/**
 * GELF over UDP: one long-lived, unref'ed socket; chunking (never an empty trailing chunk);
 * optional gzip/zlib compression; a cap on messages in flight. Errors are counted and reported
 * through a rate-limited `diag.warn`, never thrown.
 */
export class UdpTransport extends BaseTransport {
  readonly maxPayloadBytes: number;
  private readonly host: string;
  private readonly port: number;
  private readonly chunkSize: number;
  private readonly compression: GelfCompression;
  private readonly maxInFlight: number;
  private readonly maxInFlightBytes: number;
  private readonly warning = new RateLimitedWarning();
  private socket: Socket | undefined;
  private connected = false;
  private address: string | undefined;
  private family = 0;
  private lookingUp = false;
  private lastLookup = Number.NEGATIVE_INFINITY;
  private stale = false;
  /** Messages accepted before the host name resolved, as ready-to-send datagrams. */
  private waiting: Array<{ datagrams: Buffer[]; bytes: number }> = [];
  private inFlightBytes = 0;

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

  send(payload: Buffer): boolean {
    const full =
      this.counters.pending >= this.maxInFlight ||
      this.inFlightBytes + payload.length > this.maxInFlightBytes;
    if (!this.admit(payload, full)) return false;
    let datagrams: Buffer[] | undefined;
    try {
      datagrams = this.datagrams(payload);
    } catch (err) {
      this.counters.errors++;
      this.warning.warn('GELF UDP: compression failed', err);
    }
    if (datagrams === undefined) {
      this.counters.dropped++;
      return false;
    }
    this.counters.accept();
    this.inFlightBytes += payload.length;
    if (this.connected) {
      if (this.stale) this.resolve();
      this.transmit(this.socket!, datagrams, payload.length);
    } else {
      // Until the address is known and the socket connected (one round of the event loop).
      this.waiting.push({ datagrams, bytes: payload.length });
      if (this.address === undefined) this.resolve();
      else if (this.socket === undefined) this.openSocket();
    }
    return true;
  }

  protected async release(timeoutMs: number): Promise<void> {
    await this.counters.wait(timeoutMs);
    this.failWaiting();
    this.closeSocket();
  }

  /** The datagrams for one payload, compressed as configured; undefined when over 128 chunks. */
  private datagrams(payload: Buffer): Buffer[] | undefined {
    const size = this.chunkSize;
    let body = payload;
    const mode = this.compression;
    if (mode === 'auto') {
      if (payload.length > size) {
        const z = deflateSync(payload);
        if (datagramCount(z.length, size) < datagramCount(payload.length, size)) body = z;
      }
    } else if (mode !== 'none') {
      const z = mode === 'gzip' ? gzipSync(payload) : deflateSync(payload);
      // Incompressible data can grow past 128 chunks; the plain payload always fits.
      if (datagramCount(z.length, size) <= MAX_CHUNKS) body = z;
    }
    if (body.length <= size) return [body];
    if (datagramCount(body.length, size) > MAX_CHUNKS) return undefined;
    return chunkPayload(body, size);
  }

  private transmit(socket: Socket, datagrams: Buffer[], payloadBytes: number): void {
    const onSent = this.sentCallback(datagrams.length, payloadBytes);
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
  private sentCallback(datagrams: number, payloadBytes: number): (err: Error | null) => void {
    let remaining = datagrams;
    let failed = false;
    return (err) => {
      if (err) {
        failed = true;
        this.onSendError(err);
      }
      if (--remaining === 0) this.settle(payloadBytes, failed);
    };
  }

  private onSendError(err: Error): void {
    this.counters.errors++;
    this.warning.warn(`GELF UDP: send to ${this.host}:${this.port} failed`, err);
    // The address may be gone (DNS change): look the name up again on a later send.
    if (isIP(this.host) === 0) this.stale = true;
  }

  private settle(bytes: number, failed: boolean): void {
    this.inFlightBytes -= bytes;
    this.counters.settle(!failed);
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
        this.counters.errors++;
        this.warning.warn(`GELF UDP: cannot resolve ${this.host}`, err);
        // Without an address the waiting messages cannot go anywhere.
        if (this.address === undefined) this.failWaiting();
        return;
      }
      this.stale = false;
      this.useAddress(address, family);
      if (this.socket === undefined) this.openSocket();
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
      this.counters.errors++;
      this.warning.warn('GELF UDP: socket error', err);
      // A socket that failed (e.g. could not connect) is replaced on the next send; what waited
      // for it is lost.
      if (this.socket === socket) {
        this.closeSocket();
        this.failWaiting();
      }
    });
    this.socket = socket;
    this.connected = false;
    socket.connect(this.port, this.address, () => {
      if (this.socket !== socket) return;
      this.connected = true;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) this.transmit(socket, w.datagrams, w.bytes);
    });
    socket.unref();
    return socket;
  }

  private failWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) this.settle(w.bytes, true);
  }
}
