// The package's only use of gelf-pro (CommonJS; its export is the logger singleton). It is an
// optional peer, loaded when the first gelf-pro transport is made, so nobody else installs it.
import type GelfPro from 'gelf-pro';
import { ConfigurationError } from '../configuration-error.js';
import { loadOptionalPeer } from '../optional-peer.js';
import type { GelfOutcomeCallback } from '../types.js';
import { BaseTransport } from './base-transport.js';
import type { GelfTlsOptions } from './tls.js';

/** Options of {@link GelfProTransport}. */
export interface GelfProTransportOptions {
  /** `udp`, `tcp` or `tls` (gelf-pro has no HTTP adapter). */
  protocol: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** UDP over IPv6 (`udp6`) instead of IPv4. @defaultValue false */
  ipv6?: boolean;
  /** TCP/TLS connect and send timeout. @defaultValue 10000 */
  timeoutMs?: number;
  /** TLS settings (gelf-pro passes them to `tls.connect`). */
  tls?: GelfTlsOptions;
  /**
   * Messages in flight. gelf-pro opens a socket or connection per message: this cap is what keeps
   * a burst from exhausting file handles. The transport is `ready` below half of it, so a sender
   * that waits for readiness (the exporter) never meets it; beyond, dropped (`inFlightCap`).
   * @defaultValue 64
   */
  maxInFlight?: number;
}

/** gelf-pro's UDP chunk data size for udp4 (1388) times its 128-chunk limit (after zlib). */
const GELF_PRO_UDP_MAX = 1388 * 128;
const GELF_PRO_TCP_MAX = 2 * 1024 * 1024 - 1;

/** The configuration gelf-pro currently holds (it has one per process) and who uses it. */
let configKey: string | undefined;
let configLabel = '';
let holders = 0;
let gelfPro: typeof GelfPro | undefined;

/**
 * Sends through gelf-pro 1.4.0, for users who want its behaviour. Its limits, kept as they are:
 * one configuration per process (so one gelf-pro endpoint at a time here), a new UDP socket or
 * TCP/TLS connection per message, UDP always zlib-compressed with a fixed chunk size and an empty
 * trailing chunk when the compressed size is an exact multiple of it.
 *
 * Our already-mapped JSON goes to gelf-pro's adapter (`gelfPro.send`), not through its
 * `message()` formatter: that one would re-flatten and re-truncate fields, `console.warn` on
 * dotted keys and delete a field named `id`. A callback is always passed, since gelf-pro throws
 * asynchronously without one.
 */
export class GelfProTransport extends BaseTransport {
  readonly maxPayloadBytes: number;
  private readonly maxInFlight: number;
  private readonly name: string;
  private readonly pro: typeof GelfPro;

  /**
   * @throws ConfigurationError when gelf-pro is not installed, or when another gelf-pro transport
   * with a different endpoint is open
   */
  constructor(options: GelfProTransportOptions) {
    super();
    gelfPro ??= loadOptionalPeer<typeof GelfPro>(
      'gelf-pro',
      "transport: 'gelf-pro'",
      'gelf-pro@1.4.0',
    );
    this.pro = gelfPro;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.maxPayloadBytes = options.protocol === 'udp' ? GELF_PRO_UDP_MAX : GELF_PRO_TCP_MAX;
    this.name = `gelf-pro ${options.protocol}://${options.host}:${options.port}`;
    const adapterOptions: Record<string, unknown> = {
      host: options.host,
      port: options.port,
      timeout: options.timeoutMs ?? 10_000,
    };
    if (options.protocol === 'udp') adapterOptions.protocol = options.ipv6 ? 'udp6' : 'udp4';
    if (options.protocol === 'tls') {
      const tls = options.tls;
      adapterOptions.rejectUnauthorized = tls?.rejectUnauthorized ?? true;
      if (tls?.ca !== undefined) adapterOptions.ca = tls.ca;
      if (tls?.cert !== undefined) adapterOptions.cert = tls.cert;
      if (tls?.key !== undefined) adapterOptions.key = tls.key;
      if (tls?.servername !== undefined) adapterOptions.servername = tls.servername;
    }
    const adapterName = { udp: 'udp', tcp: 'tcp', tls: 'tcp-tls' }[options.protocol];
    const key = JSON.stringify([adapterName, adapterOptions]);
    if (holders > 0 && configKey !== key) {
      throw new ConfigurationError(
        `gelf-pro keeps one configuration per process and is already sending to ${configLabel}; close that exporter first or use the native transport`,
      );
    }
    if (holders === 0) {
      // gelf-pro caches its adapter on first use and merges configs: reset both so this
      // configuration is the one in force.
      const pro = this.pro as unknown as { adapter: unknown; config: Record<string, unknown> };
      pro.adapter = undefined;
      pro.config = { ...pro.config, adapterName, adapterOptions };
      configKey = key;
      configLabel = this.name;
    }
    holders++;
  }

  /** Below half of `maxInFlight` messages. */
  get ready(): boolean {
    return this.counters.pending * 2 < this.maxInFlight;
  }

  send(payload: Buffer, onOutcome?: GelfOutcomeCallback): boolean {
    const full = this.counters.pending >= this.maxInFlight ? 'inFlightCap' : undefined;
    const detail =
      full && `${this.name}: maxInFlight reached (${this.maxInFlight} messages in flight)`;
    if (!this.admit(payload, full, detail, onOutcome)) return false;
    this.counters.accept();
    // gelf-pro may call back more than once for one message (an error, then close): once counts.
    let settled = false;
    const onSent = (err?: Error | null, bytes?: number): void => {
      if (settled) return;
      settled = true;
      if (err) {
        const timedOut = /timeout/i.test(err.message);
        this.settle(
          timedOut ? 'timeout' : 'network',
          this.onNetworkError('send failed', err),
          onOutcome,
        );
      } else {
        this.counters.bytes += bytes ?? 0;
        this.settle('sent', undefined, onOutcome);
      }
    };
    try {
      this.pro.send(payload.toString('utf8'), onSent);
    } catch (err) {
      onSent(err as Error);
    }
    return true;
  }

  protected get label(): string {
    return this.name;
  }

  protected async release(timeoutMs: number): Promise<void> {
    await this.counters.wait(timeoutMs);
    holders--;
  }
}
