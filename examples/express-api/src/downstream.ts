import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { markDownstreamPort, unmarkDownstreamPort } from './in-process-downstream.js';

/** Options of {@link startDownstream}. */
export interface DownstreamOptions {
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** How long answering `/inventory` takes, in ms. @defaultValue 3 */
  delayMs?: number;
}

/** A running inventory service. */
export interface Downstream {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

const ITEMS = [
  { sku: 'tea-001', name: 'Assam', stock: 12 },
  { sku: 'tea-002', name: 'Darjeeling', stock: 4 },
  { sku: 'tea-003', name: 'Sencha', stock: 0 },
];

/**
 * Starts the second, tiny service the API calls once per request: `GET /inventory` answers a
 * JSON list after `delayMs`. It stands for what APM tools show as a dependency (a database, a
 * remote API).
 */
export function startDownstream(options: DownstreamOptions = {}): Promise<Downstream> {
  const delayMs = options.delayMs ?? 3;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/inventory') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: ITEMS }));
    }, delayMs);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      markDownstreamPort(port);
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            unmarkDownstreamPort(port);
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// Run on its own (`pnpm --filter express-api downstream`) to point DOWNSTREAM_URL at it.
if (require.main === module) {
  startDownstream({
    host: process.env.HOST,
    port: Number(process.env.PORT ?? 8081),
    delayMs: Number(process.env.DOWNSTREAM_DELAY_MS ?? 3),
  }).then(
    (d) => console.log(`inventory service listening on ${d.url}`),
    (error: unknown) => {
      console.error(`inventory service could not start: ${String(error)}`);
      process.exitCode = 1;
    },
  );
}
