import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bound } from './bound.js';
import { type DecompressResult, decompressPayload, inflateHttpDeflate } from './decompress.js';
import { formatRemote } from './remote.js';

/** What the HTTP listener hands over for each `POST /gelf` body it could read. */
export interface HttpPayload {
  /** The body, decompressed, or why it could not be. */
  payload: DecompressResult;
  /** `address:port` of the client. */
  remote: string;
  /** Body bytes as sent. */
  bytes: number;
}

/** Options of {@link startHttpListener}. */
export interface HttpListenerOptions {
  host: string;
  port: number;
  /** Largest body accepted, as sent and after decompression. */
  maxMessageBytes: number;
  /** Parses and records one body; returns why it is no GELF message, or undefined when it is. */
  onPayload: (payload: HttpPayload) => string | undefined;
  /** Told the status of every answer, for the counters. */
  onAnswered: (status: number) => void;
}

/** A listening HTTP server and its bound port. */
export interface HttpListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens for Graylog's GELF HTTP input: `POST /gelf`, body plain or sent with
 * `Content-Encoding: gzip | deflate`, answered `202 Accepted`. Other paths get 404, other
 * methods on /gelf 405, an unknown encoding 415, a body that is no GELF message 400, a body over
 * the size bound 413. Without a Content-Encoding header the magic bytes decide, as on UDP.
 */
export async function startHttpListener(options: HttpListenerOptions): Promise<HttpListener> {
  const server = createServer((req, res) => handle(req, res, options));
  // A slow or idle client must not hold the listener open forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  await bound(server, (ready) => server.listen(options.port, options.host, ready));
  // After listening, a server error (rare: e.g. EMFILE on accept) must not crash the process.
  server.on('error', () => {});
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function handle(req: IncomingMessage, res: ServerResponse, options: HttpListenerOptions): void {
  const answer = (status: number, text = '', extra: Record<string, string> = {}): void => {
    options.onAnswered(status);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(text === '' ? undefined : `${text}\n`);
  };
  req.on('error', () => {});
  res.on('error', () => {});

  const path = (req.url ?? '/').split('?', 1)[0];
  if (path !== '/gelf') {
    req.resume();
    answer(404, 'not found: GELF is accepted at POST /gelf');
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    answer(405, 'method not allowed: use POST', { Allow: 'POST' });
    return;
  }
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!['', 'identity', 'gzip', 'x-gzip', 'deflate'].includes(encoding)) {
    req.resume();
    answer(415, `unsupported Content-Encoding ${JSON.stringify(encoding)}: use gzip or deflate`);
    return;
  }
  const limit = options.maxMessageBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    answer(413, `body of ${declared} bytes exceeds ${limit}`, { Connection: 'close' });
    res.once('finish', () => req.destroy());
    return;
  }

  const parts: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > limit) {
      refused = true;
      parts.length = 0;
      answer(413, `body exceeds ${limit} bytes`, { Connection: 'close' });
      res.once('finish', () => req.destroy());
      return;
    }
    parts.push(chunk);
  });
  req.on('end', () => {
    if (refused) return;
    const body = Buffer.concat(parts, size);
    const payload =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? decompressPayload(body, limit, 'gzip')
        : encoding === 'deflate'
          ? inflateHttpDeflate(body, limit)
          : decompressPayload(body, limit);
    const remote = formatRemote(req.socket.remoteAddress, req.socket.remotePort);
    const problem = options.onPayload({ payload, remote, bytes: size });
    if (problem === undefined) answer(202);
    else answer(400, problem);
  });
}
