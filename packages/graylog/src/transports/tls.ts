import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { type ConnectionOptions, connect } from 'node:tls';
import { TcpTransport, type TcpTransportOptions } from './tcp.js';

/** TLS settings of a `tls://` or `https://` endpoint. Certificates are verified by default. */
export interface GelfTlsOptions {
  /** CA certificates to trust (PEM), instead of Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | Buffer;
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Buffer;
  /** Refuse servers whose certificate does not verify. @defaultValue true */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks. @defaultValue the endpoint's host name */
  servername?: string;
}

/** Options of {@link TlsTransport}. */
export interface TlsTransportOptions extends TcpTransportOptions {
  /** Certificates and verification. */
  tls?: GelfTlsOptions;
}

/** Node's TLS connect options from ours (shared with HTTPS). */
export function tlsConnectOptions(
  host: string,
  tls: GelfTlsOptions | undefined,
): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: tls?.rejectUnauthorized ?? true };
  if (tls?.ca !== undefined) options.ca = tls.ca;
  if (tls?.cert !== undefined) options.cert = tls.cert;
  if (tls?.key !== undefined) options.key = tls.key;
  // SNI must not be an IP address; the certificate is then checked against the IP.
  const servername = tls?.servername ?? (isIP(host) === 0 ? host : undefined);
  if (servername !== undefined) options.servername = servername;
  return options;
}

/**
 * GELF over TLS: {@link TcpTransport} on a `tls.connect` socket. A certificate that does not
 * verify is a connection error: counted, retried with backoff, never thrown.
 */
export class TlsTransport extends TcpTransport {
  private readonly connectOptions: ConnectionOptions;

  constructor(options: TlsTransportOptions) {
    super(options);
    this.connectOptions = {
      ...tlsConnectOptions(options.host, options.tls),
      host: options.host,
      port: options.port,
    };
  }

  protected override createSocket(): { socket: Socket; readyEvent: string } {
    return { socket: connect(this.connectOptions), readyEvent: 'secureConnect' };
  }

  protected override get kind(): string {
    return 'TLS';
  }
}
