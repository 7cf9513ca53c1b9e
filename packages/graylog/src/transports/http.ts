import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { deflateSync, gzipSync } from 'node:zlib';
import { RateLimitedWarning } from '../rate-limited-warning.js';
import type { GelfCompression } from '../types.js';
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
  /** Requests in flight at once; beyond, messages are dropped. @defaultValue 256 */
  maxInFlight?: number;
  /** Keep-alive connections to Graylog. @defaultValue 4 */
  maxSockets?: number;
  /** A request not answered within this time fails. @defaultValue 10000 */
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
  private readonly warning = new RateLimitedWarning();

  constructor(options: HttpTransportOptions) {
    super();
    this.options = options;
    this.compression = options.compression ?? 'auto';
    this.maxInFlight = options.maxInFlight ?? 256;
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

  send(payload: Buffer): boolean {
    if (!this.admit(payload, this.counters.pending >= this.maxInFlight)) return false;
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
      this.counters.errors++;
      this.warning.warn('GELF HTTP: compression failed', err);
      this.counters.dropped++;
      return false;
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': body.length,
    };
    if (encoding !== undefined) headers['content-encoding'] = encoding;
    this.counters.accept();
    let settled = false;
    const settle = (ok: boolean, problem?: Error) => {
      if (settled) return;
      settled = true;
      if (problem !== undefined) this.warning.warn(`${this.label}: ${problem.message}`, problem);
      this.counters.settle(ok);
    };
    try {
      const req = this.request({
        agent: this.agent,
        host: this.options.host,
        port: this.options.port,
        path: this.options.path ?? '/gelf',
        method: 'POST',
        headers,
        timeout: this.timeoutMs,
      });
      req.on('response', (res: IncomingMessage) => {
        // Read the (empty) body so the keep-alive connection is reused.
        res.resume();
        const status = res.statusCode ?? 0;
        settle(status === 202, status === 202 ? undefined : new Error(`answered ${status}`));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => {
        this.counters.errors++;
        settle(false, err);
      });
      req.end(body);
      this.counters.bytes += body.length;
    } catch (err) {
      this.counters.errors++;
      settle(false, err as Error);
    }
    return true;
  }

  protected async release(timeoutMs: number): Promise<void> {
    await this.counters.wait(timeoutMs);
    // Destroys keep-alive sockets; requests still open fail through their 'error' handler.
    this.agent.destroy();
  }

  private get label(): string {
    const o = this.options;
    return `GELF ${o.protocol.toUpperCase()} ${o.host}:${o.port}${o.path ?? '/gelf'}`;
  }
}
