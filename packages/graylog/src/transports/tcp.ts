import { connect, type Socket } from 'node:net';
import type { GelfOutcome, GelfOutcomeCallback } from '../types.js';
import { BaseTransport } from './base-transport.js';

/** Options of {@link TcpTransport}. */
export interface TcpTransportOptions {
  /** Graylog's host name or IP address. */
  host: string;
  /** Graylog's GELF TCP port. */
  port: number;
  /**
   * Bytes of frames the transport holds (waiting for a connection, or written but not yet taken
   * by the kernel), counted as the memory really allocated for them. It is `ready` below half of
   * it, so a sender that waits for readiness (the exporter) always finds room for a message of
   * Graylog's largest frame (2 MiB) and never meets this bound; beyond it, messages are dropped
   * (`bufferFull`). @defaultValue 4 MiB
   */
  maxBufferBytes?: number;
  /** A connection attempt taking longer is abandoned (and retried later). @defaultValue 10000 */
  connectTimeoutMs?: number;
  /**
   * Frames waiting this long for a connection fail (`timeout`); a peer that takes no byte for
   * this long while frames wait is disconnected (its unwritten frames fail) and reconnected.
   * @defaultValue connectTimeoutMs
   */
  writeTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt (with jitter). @defaultValue 100 */
  minReconnectDelayMs?: number;
  /**
   * Cap of the reconnect delay (the delay is 50–100 % of it, jittered). 2 s: delivery resumes
   * within about 2 s of Graylog coming back, while at most a few connection attempts a second
   * reach a Graylog that is down. @defaultValue 2000
   */
  maxReconnectDelayMs?: number;
}

/** Graylog's default largest GELF TCP frame (2 MiB), NUL excluded. */
const MAX_TCP_FRAME_BYTES = 2 * 1024 * 1024;
const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
/** Frames are copied into blocks of this size (smaller for a small buffer bound). */
const MAX_BLOCK_BYTES = 64 * 1024;

/**
 * Frames copied into memory the transport owns (never slices of a pooled slab, which would keep
 * the whole slab alive), with the outcome callbacks of the messages in it.
 */
interface Block {
  buf: Buffer;
  used: number;
  /** One entry per message (undefined when its sender passed no callback). */
  callbacks: Array<GelfOutcomeCallback | undefined>;
  /** Bytes counted against `maxBufferBytes` for it. */
  held: number;
  /** When its first frame was queued (to time out a wait for a connection). */
  since: number;
}

/**
 * GELF over TCP: one persistent connection, NUL-terminated frames, no compression (GELF TCP has
 * none). Frames are copied into owned blocks, written once per tick, and each message is `sent`
 * when the kernel took its bytes; the bytes held (queued and in Node's socket buffer) are bounded
 * by `maxBufferBytes`, and `ready` below half of it is the backpressure the exporter waits for.
 * A lost connection is reopened with capped exponential backoff and jitter; what the kernel had
 * taken when a peer crashed is lost unseen (TCP gives no receipt). The socket never keeps the
 * process alive.
 */
export class TcpTransport extends BaseTransport {
  readonly maxPayloadBytes = MAX_TCP_FRAME_BYTES - 1;
  protected readonly host: string;
  protected readonly port: number;
  private readonly maxBufferBytes: number;
  private readonly highWater: number;
  private readonly blockBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly fullDetail: string;
  private socket: Socket | undefined;
  private connected = false;
  /** Blocks waiting to be written, oldest first; the last one may still be filling. */
  private queued: Block[] = [];
  /** Blocks written to the socket whose write callback has not come yet. */
  private readonly writing = new Set<Block>();
  private held = 0;
  private flushScheduled = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** When the kernel last took a block (or writing started after an idle time). */
  private lastProgress = 0;
  /** Set when the watchdog ends a connection whose peer stopped reading. */
  private stallDetail: string | undefined;

  constructor(options: TcpTransportOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.maxBufferBytes = options.maxBufferBytes ?? DEFAULT_BUFFER_BYTES;
    this.highWater = Math.floor(this.maxBufferBytes / 2);
    this.blockBytes = Math.max(
      1024,
      Math.min(MAX_BLOCK_BYTES, Math.floor(this.maxBufferBytes / 16)),
    );
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? this.connectTimeoutMs;
    this.minDelay = options.minReconnectDelayMs ?? 100;
    this.maxDelay = options.maxReconnectDelayMs ?? 2000;
    this.fullDetail = `${this.kind} buffer full (${formatBytes(this.maxBufferBytes)}), ${this.host}:${this.port} is not reading or not reachable`;
  }

  /** Below the high-water mark (half of `maxBufferBytes`). */
  get ready(): boolean {
    return this.held < this.highWater;
  }

  send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    const frameBytes = payload.length + 1;
    const last = this.queued[this.queued.length - 1];
    const fits = last !== undefined && last.buf.length - last.used >= frameBytes;
    const grow = fits ? 0 : Math.max(this.blockBytes, frameBytes);
    const full = this.held + grow > this.maxBufferBytes ? 'bufferFull' : undefined;
    if (!this.admit(payload, full, this.fullDetail, onOutcome)) return false;
    let block = last;
    if (!fits) {
      block = {
        buf: Buffer.allocUnsafeSlow(grow),
        used: 0,
        callbacks: [],
        held: grow,
        since: Date.now(),
      };
      this.queued.push(block);
      this.held += grow;
    }
    const b = block!;
    payload.copy(b.buf, b.used);
    b.buf[b.used + payload.length] = 0;
    b.used += frameBytes;
    b.callbacks.push(onOutcome);
    this.counters.accept();
    this.armWatchdog();
    if (this.connected) this.scheduleFlush();
    else if (this.socket === undefined && this.reconnectTimer === undefined) this.open();
    return true;
  }

  /** {@link send}: the frame is a copy of the payload, so the payload may be borrowed. */
  sendBorrowed(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    return this.send(payload, onOutcome);
  }

  protected async release(timeoutMs: number): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.socket !== undefined) await this.counters.wait(timeoutMs);
    // What could not be written in time is lost.
    this.failQueued('timeout', `${this.label}: not written within ${timeoutMs} ms of close`);
    clearInterval(this.watchdog);
    this.watchdog = undefined;
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

  /** `TCP` or `TLS`, for messages. */
  protected get kind(): string {
    return 'TCP';
  }

  protected get label(): string {
    return `GELF ${this.kind} ${this.host}:${this.port}`;
  }

  private open(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    let socket: Socket;
    let readyEvent: string;
    try {
      ({ socket, readyEvent } = this.createSocket());
    } catch (err) {
      this.onNetworkError('connect failed', err as Error);
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
      this.lastProgress = Date.now();
      socket.setKeepAlive(true, 30_000);
      this.scheduleFlush();
    });
    socket.on('error', (err) =>
      this.onNetworkError(this.connected ? 'connection lost' : 'cannot connect', err),
    );
    socket.on('close', () => {
      clearTimeout(timer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.connected = false;
      // Node calls back every pending write with an error on close; this catches any it missed.
      for (const block of [...this.writing]) this.written(block, new Error('connection closed'));
      this.stallDetail = undefined;
      if (!this.closed) this.scheduleReconnect();
    });
    // Graylog never answers on a GELF input; discard anything so the receive buffer stays empty.
    socket.resume();
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
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.writeQueued);
  }

  /**
   * Hands every queued block to the socket (one write each, corked into one writev). Node's
   * buffer may grow past the socket's own high-water mark: those bytes are ours and counted in
   * `held`, which is what bounds memory and drives `ready`.
   */
  private readonly writeQueued = (): void => {
    this.flushScheduled = false;
    const socket = this.socket;
    if (!this.connected || socket === undefined || this.queued.length === 0) return;
    if (this.writing.size === 0) this.lastProgress = Date.now();
    const queued = this.queued;
    this.queued = [];
    socket.cork();
    for (const block of queued) {
      let data = block.buf;
      if (block.used < block.buf.length) {
        if (block.used * 2 < block.buf.length) {
          // Mostly empty: keep only the frames, in an exact-size copy.
          data = Buffer.allocUnsafeSlow(block.used);
          block.buf.copy(data, 0, 0, block.used);
          this.held -= block.held - block.used;
          block.held = block.used;
        } else {
          data = block.buf.subarray(0, block.used);
        }
      }
      block.buf = data;
      this.writing.add(block);
      this.counters.bytes += block.used;
      socket.write(data, (err) => this.written(block, err));
    }
    socket.uncork();
  };

  private written(block: Block, err: Error | null | undefined): void {
    if (!this.writing.delete(block)) return;
    this.lastProgress = Date.now();
    if (!err) {
      this.finishBlock(block, 'sent', undefined);
    } else if (this.stallDetail !== undefined) {
      this.finishBlock(block, 'timeout', this.stallDetail);
    } else {
      const detail = `${this.label}: connection lost before the kernel took the frames (${err.message})`;
      this.finishBlock(block, 'network', detail);
    }
  }

  private finishBlock(block: Block, outcome: GelfOutcome, detail: string | undefined): void {
    this.held -= block.held;
    const callbacks = block.callbacks;
    for (let i = 0; i < callbacks.length; i++) this.settle(outcome, detail, callbacks[i]);
    if (this.counters.pending === 0) this.disarmWatchdog();
  }

  private failQueued(outcome: GelfOutcome, detail: string): void {
    const queued = this.queued;
    this.queued = [];
    for (const block of queued) this.finishBlock(block, outcome, detail);
  }

  /** A coarse timer, running only while messages are pending, that enforces `writeTimeoutMs`. */
  private armWatchdog(): void {
    if (this.watchdog !== undefined) return;
    const every = Math.max(10, Math.min(1000, Math.floor(this.writeTimeoutMs / 4)));
    this.watchdog = setInterval(this.checkProgress, every);
    this.watchdog.unref();
  }

  private disarmWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private readonly checkProgress = (): void => {
    const now = Date.now();
    const limit = this.writeTimeoutMs;
    if (this.connected && this.writing.size > 0 && now - this.lastProgress > limit) {
      // The peer takes nothing: its frames fail (written() on destroy), the connection is
      // replaced, and what is queued goes to the next one.
      this.stallDetail = `${this.label} is not reading (no byte taken for ${limit} ms)`;
      this.socket?.destroy(new Error(this.stallDetail));
      return;
    }
    if (!this.connected && this.queued.length > 0 && now - this.queued[0]!.since > limit) {
      this.failQueued('timeout', `${this.label}: not connected for ${limit} ms`);
    }
  };
}

/** `4 MiB`, `512 KiB`, `100 bytes`. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
