import type { ResolvedGelfConfig } from './config.js';
import { GelfProTransport } from './transports/gelf-pro.js';
import { HttpTransport } from './transports/http.js';
import { TcpTransport } from './transports/tcp.js';
import { TlsTransport } from './transports/tls.js';
import { UdpTransport } from './transports/udp.js';
import type { GelfTransport } from './types.js';

/** The transport a resolved configuration asks for (the endpoint's protocol picks it). */
export function createTransport(config: ResolvedGelfConfig): GelfTransport {
  const { endpoint, transport } = config;
  if (typeof transport === 'object') return transport;
  if (transport === 'gelf-pro') {
    return new GelfProTransport({
      protocol: endpoint.protocol as 'udp' | 'tcp' | 'tls',
      host: endpoint.host,
      port: endpoint.port,
      ipv6: endpoint.host.includes(':'),
      timeoutMs: config.timeoutMillis,
      tls: config.tls,
      maxInFlight: config.maxInFlight,
    });
  }
  switch (endpoint.protocol) {
    case 'udp':
      return new UdpTransport({
        host: endpoint.host,
        port: endpoint.port,
        chunkSize: config.chunkSize,
        compression: config.compression,
        maxInFlight: config.maxInFlight,
      });
    case 'tcp':
      return new TcpTransport({
        host: endpoint.host,
        port: endpoint.port,
        connectTimeoutMs: config.timeoutMillis,
        maxBufferBytes: config.maxBufferBytes,
      });
    case 'tls':
      return new TlsTransport({
        host: endpoint.host,
        port: endpoint.port,
        connectTimeoutMs: config.timeoutMillis,
        maxBufferBytes: config.maxBufferBytes,
        tls: config.tls,
      });
    default:
      return new HttpTransport({
        protocol: endpoint.protocol,
        host: endpoint.host,
        port: endpoint.port,
        path: endpoint.path,
        compression: config.compression,
        timeoutMs: config.timeoutMillis,
        maxInFlight: config.maxInFlight,
        tls: config.tls,
      });
  }
}
