import { connect, type Socket } from 'node:net';
import { RateLimitedWarning } from '../rate-limited-warning.js';
import { BaseTransport } from './base-transport.js';

/** Options of {@link TcpTransport}. */
export interface TcpTransportOptions {
  /** Graylog's host name or IP address. */
  host: string;
  /** Graylog's GELF TCP port. */
  port: number;
  /**
   * Bytes of frames held while disconnected or while the peer does not keep up; beyond, new
   * messages are dropped (and counted). @defaultValue 4 MiB
   */
  maxBufferBytes?: number;
  /** A connection attempt taking longer is abandoned (and retried later). @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt (with jitter). @defaultValue 100 */
  minReconnectDelayMs?: number;
  /** Cap of the reconnect delay. @defaultValue 30000 */
  maxReconnectDelayMs?: number;
}

/** Graylog's default largest GELF TCP frame (2 MiB), NUL excluded. */
const MAX_TCP_FRAME_BYTES = 2 * 1024 * 1024;
// Bytes we let Node's socket buffer hold before waiting for 'drain': enough to batch writes,
// small enough to keep the bound on memory meaningful.
const SOCKET_HIGH_WATER = 256 * 1024;

/**
 * GELF over TCP: one persistent connection, NUL-terminated frames, no compression (GELF TCP has
 * none). Frames go out in batches (one `writev` per tick); when the peer does not read, frames
 * wait in a bounded buffer and new ones beyond it are dropped. A lost connection is reopened with
 * capped exponential backoff and jitter. The socket never keeps the process alive.
 */
export class TcpTransport extends BaseTransport {
  readonly maxPayloadBytes = MAX_TCP_FRAME_BYTES - 1;
  protected readonly host: string;
  protected readonly port: number;
  protected readonly warning = new RateLimitedWarning();
  private readonly maxBufferBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private socket: Socket | undefined;
  private connected = false;
  private queue: Buffer[] = [];
  private queueHead = 0;
  private queueBytes = 0;
  private flushScheduled = false;
  private waitingForDrain = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(options: TcpTransportOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.maxBufferBytes = options.maxBufferBytes ?? 4 * 1024 * 1024;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.minDelay = options.minReconnectDelayMs ?? 100;
    this.maxDelay = options.maxReconnectDelayMs ?? 30_000;
  }

  send(payload: Buffer): boolean {
    if (!this.admit(payload, this.queueBytes + payload.length + 1 > this.maxBufferBytes)) {
      return false;
    }
    const frame = Buffer.allocUnsafe(payload.length + 1);
    payload.copy(frame, 0);
    frame[payload.length] = 0;
    this.queue.push(frame);
    this.queueBytes += frame.length;
    this.counters.accept();
    if (this.connected) this.scheduleFlush();
    else if (this.socket === undefined && this.reconnectTimer === undefined) this.open();
    return true;
  }

  protected async release(timeoutMs: number): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.socket !== undefined) await this.counters.wait(timeoutMs);
    // What could not be written in time is lost.
    this.failQueue();
    const socket = this.socket;
    if (socket !== undefined) {
      if (socket.writableLength === 0) socket.end();
      else socket.destroy();
      setTimeout(() => socket.destroy(), 2000).unref();
    }
  }

  /** Opens the connection; TLS overrides it. The event that says the socket is ready to write. */
  protected createSocket(): { socket: Socket; readyEvent: string } {
    return { socket: connect({ host: this.host, port: this.port }), readyEvent: 'connect' };
  }

  /** Short name for messages. */
  protected get label(): string {
    return `GELF TCP ${this.host}:${this.port}`;
  }

  private open(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    let socket: Socket;
    let readyEvent: string;
    try {
      ({ socket, readyEvent } = this.createSocket());
    } catch (err) {
      this.onError(err as Error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.unref();
    const timer = setTimeout(() => {
      socket.destroy(new Error(`connect timeout after ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    timer.unref();
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (this.socket !== socket) return;
      this.connected = true;
      this.attempts = 0;
      socket.setKeepAlive(true, 30_000);
      this.scheduleFlush();
    });
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.scheduleFlush();
    });
    socket.on('error', (err) => this.onError(err));
    socket.on('close', () => {
      clearTimeout(timer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.connected = false;
      this.waitingForDrain = false;
      if (!this.closed) this.scheduleReconnect();
    });
    // Graylog never answers on a GELF input; discard anything so the receive buffer stays empty.
    socket.resume();
  }

  private onError(err: Error): void {
    this.counters.errors++;
    this.warning.warn(`${this.label}: ${err.message}`, err);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    // Jitter (50–100 %) keeps many processes from reconnecting in lockstep after an outage.
    const delay = base * (0.5 + Math.random() * 0.5);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
    this.reconnectTimer.unref();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waitingForDrain) return;
    this.flushScheduled = true;
    process.nextTick(() => this.writeQueue());
  }

  /** Writes queued frames in one corked batch until Node's buffer reaches the high-water mark. */
  private readonly writeQueue = (): void => {
    this.flushScheduled = false;
    const socket = this.socket;
    if (!this.connected || socket === undefined || this.waitingForDrain) return;
    socket.cork();
    const queue = this.queue;
    let head = this.queueHead;
    while (head < queue.length && socket.writableLength < SOCKET_HIGH_WATER) {
      const frame = queue[head]!;
      queue[head] = undefined as unknown as Buffer;
      head++;
      this.queueBytes -= frame.length;
      this.counters.bytes += frame.length;
      socket.write(frame, this.onWritten);
    }
    socket.uncork();
    if (head === queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else {
      // Compact now and then so a long stall does not grow the array with spent slots.
      if (head > 1024 && head * 2 > queue.length) {
        this.queue = queue.slice(head);
        head = 0;
      }
      this.queueHead = head;
      // Above the high-water mark write() has returned false, so 'drain' will come.
      this.waitingForDrain = true;
    }
  };

  private readonly onWritten = (err?: Error | null): void => {
    this.counters.settle(!err);
  };

  private failQueue(): void {
    for (let i = this.queueHead; i < this.queue.length; i++) {
      this.counters.settle(false);
    }
    this.queue = [];
    this.queueHead = 0;
    this.queueBytes = 0;
  }
}
