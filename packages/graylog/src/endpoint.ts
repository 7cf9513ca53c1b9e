import { isIP } from 'node:net';
import { showValue } from './show-value.js';

/** The protocols an endpoint URL may name. */
export type GelfProtocol = 'udp' | 'tcp' | 'tls' | 'http' | 'https';

/** A parsed GELF endpoint, e.g. from `udp://graylog:12201` or `https://graylog/gelf`. */
export interface GelfEndpoint {
  protocol: GelfProtocol;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** HTTP(S) only: the request path. @defaultValue '/gelf' */
  path: string;
  /** The URL as given, for messages. */
  url: string;
}

/** GELF's registered port, used when the URL names none. */
export const DEFAULT_GELF_PORT = 12201;
const EXPLICIT_PORT = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/?#:@]*)(?::(\d*))?/i;
const PROTOCOLS = new Set<string>(['udp', 'tcp', 'tls', 'http', 'https']);

/** The default endpoint when neither options nor environment name one. */
export const DEFAULT_ENDPOINT = 'udp://127.0.0.1:12201';

/**
 * Parses an endpoint URL: `udp://host[:port]`, `tcp://…`, `tls://…`, `http(s)://host[:port][/path]`
 * (default port 12201, default HTTP path `/gelf`).
 *
 * @throws Error naming the bad value and what was expected
 */
export function parseEndpoint(url: string, source = 'endpoint'): GelfEndpoint {
  const expected = '(expected udp://, tcp://, tls://, http:// or https://)';
  const bad = (why: string) => new Error(`invalid ${source} ${showValue(url)} ${why}`);
  const portError = '(port must be 1–65535)';
  // URL drops a port equal to the scheme's default (http :80, https :443): read it as typed.
  const typedPort = EXPLICIT_PORT.exec(url.trim())?.[1];
  // The URL parser refuses ports above 65535 as "not a URL": say what is wrong, as for port 0.
  if (typedPort !== undefined && typedPort !== '' && Number(typedPort) > 65535)
    throw bad(portError);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw bad('(not a valid URL; expected e.g. udp://graylog:12201)');
  }
  const protocol = parsed.protocol.slice(0, -1);
  if (!PROTOCOLS.has(protocol)) throw bad(expected);
  let host = parsed.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0) throw bad('(no host)');
  if (parsed.username !== '' || parsed.password !== '')
    throw bad('(credentials are not supported)');
  const port = typedPort !== undefined ? Number(typedPort) : DEFAULT_GELF_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(portError);
  const isHttp = protocol === 'http' || protocol === 'https';
  if (!isHttp && parsed.pathname !== '' && parsed.pathname !== '/') {
    throw bad(`(a ${protocol} endpoint has no path)`);
  }
  if (parsed.search !== '' || parsed.hash !== '') throw bad('(no query or fragment allowed)');
  const path = isHttp && parsed.pathname !== '/' ? parsed.pathname : '/gelf';
  // Non-special schemes keep the hostname as typed; a bracketed IPv6 must be a valid address.
  if (host.includes(':') && isIP(host) !== 6) throw bad('(invalid IPv6 address)');
  return { protocol: protocol as GelfProtocol, host, port, path, url };
}
