import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { deflateSync, gzipSync } from 'node:zlib';
import type { GelfCompression, GelfOutcome, GelfOutcomeCallback } from '../types.js';
import { BaseTransport } from './base-transport.js';
import { type GelfTlsOptions, tlsConnectOptions } from './tls.js';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** `http` or `https`. */
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** Request path. @defaultValue '/gelf' */
  path?: string;
  /**
   * Body compression: `gzip` (Content-Encoding: gzip), `zlib` (deflate), `none`, or `auto` (gzip
   * for bodies over 1 KiB). @defaultValue 'auto'
   */
  compression?: GelfCompression;
  /**
   * Requests in flight at once (sent or waiting for a keep-alive socket); beyond, messages are
   * dropped (`inFlightCap`). The transport is `ready` below half of it: 32 requests queued for 4
   * sockets keep every socket busy, while a sender that waits for readiness never meets the cap.
   * @defaultValue 64
   */
  maxInFlight?: number;
  /** Keep-alive connections to Graylog. @defaultValue 4 */
  maxSockets?: number;
  /** A request not answered within this time of `send` fails (`timeout`). @defaultValue 10000 */
  timeoutMs?: number;
  /** HTTPS certificates and verification. */
  tls?: GelfTlsOptions;
}

/** Graylog's default limit of a decompressed GELF message (8 MiB). */
const MAX_HTTP_BODY_BYTES = 8 * 1024 * 1024;
const AUTO_GZIP_BYTES = 1024;

/**
 * GELF over HTTP(S): `POST /gelf` on keep-alive connections, optionally gzip-compressed. Graylog
 * answers 202 Accepted; any other answer, a timeout or a connection error counts as failed.
 */
export class HttpTransport extends BaseTransport {
  readonly maxPayloadBytes = MAX_HTTP_BODY_BYTES;
  private readonly options: HttpTransportOptions;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly compression: GelfCompression;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    super();
    this.options = options;
    this.compression = options.compression ?? 'auto';
    this.maxInFlight = options.maxInFlight ?? 64;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 4 };
    if (options.protocol === 'https') {
      this.agent = new HttpsAgent({
        ...agentOptions,
        ...tlsConnectOptions(options.host, options.tls),
      });
      this.request = httpsRequest;
    } else {
      this.agent = new HttpAgent(agentOptions);
      this.request = httpRequest;
    }
  }

  /** Below half of `maxInFlight` requests. */
  get ready(): boolean {
    return this.counters.pending * 2 < this.maxInFlight;
  }

  send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    const full = this.counters.pending >= this.maxInFlight ? 'inFlightCap' : undefined;
    const detail =
      full && `${this.label}: maxInFlight reached (${this.maxInFlight} requests in flight)`;
    if (!this.admit(payload, full, detail, onOutcome)) return false;
    let body = payload;
    let encoding: string | undefined;
    try {
      const mode = this.compression;
      if (mode === 'gzip' || (mode === 'auto' && payload.length > AUTO_GZIP_BYTES)) {
        body = gzipSync(payload);
        encoding = 'gzip';
      } else if (mode === 'zlib') {
        body = deflateSync(payload);
        encoding = 'deflate';
      }
    } catch (err) {
      return this.drop(
        'tooLarge',
        this.onNetworkError('compression failed', err as Error),
        onOutcome,
      );
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': body.length,
    };
    if (encoding !== undefined) headers['content-encoding'] = encoding;
    this.counters.accept();
    let settled = false;
    let req: ReturnType<typeof httpRequest> | undefined;
    // One deadline from send to answer, also for a request still waiting for a socket (Node's
    // own `timeout` only starts once it has one).
    const timer = setTimeout(() => {
      finish('timeout', `${this.label}: no answer within ${this.timeoutMs} ms`);
      req?.destroy();
    }, this.timeoutMs);
    timer.unref();
    const finish = (outcome: GelfOutcome, detail?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.settle(outcome, detail, onOutcome);
    };
    try {
      req = this.request({
        agent: this.agent,
        host: this.options.host,
        port: this.options.port,
        path: this.options.path ?? '/gelf',
        method: 'POST',
        headers,
      });
      req.on('response', (res: IncomingMessage) => {
        // Read the (empty) body so the keep-alive connection is reused.
        res.resume();
        const status = res.statusCode ?? 0;
        if (status === 202) {
          finish('sent');
          return;
        }
        const detail = `${this.label} answered HTTP ${status}`;
        this.log.report('warn', `httpStatus:${status}`, detail);
        finish('httpStatus', detail);
      });
      req.on('error', (err) => {
        if (!settled) finish('network', this.onNetworkError('request failed', err));
      });
      req.end(body);
      this.counters.bytes += body.length;
    } catch (err) {
      finish('network', this.onNetworkError('request failed', err as Error));
    }
    return true;
  }

  protected async release(timeoutMs: number): Promise<void> {
    await this.counters.wait(timeoutMs);
    // Destroys keep-alive sockets; requests still open fail through their 'error' handler.
    this.agent.destroy();
  }

  protected get label(): string {
    const o = this.options;
    return `GELF ${o.protocol.toUpperCase()} ${o.host}:${o.port}${o.path ?? '/gelf'}`;
  }
}
