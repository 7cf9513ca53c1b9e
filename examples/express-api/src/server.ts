import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { type Downstream, startDownstream } from './downstream.js';
import { readSettings } from './settings.js';

/*
 * Tracing is set up before this file runs, by `--import ./src/instrumentation.ts` (see the
 * package scripts), so that the require hooks patch `http` and `express` as they load.
 */

async function main(): Promise<void> {
  const settings = readSettings();
  let downstream: Downstream | undefined;
  let downstreamUrl = settings.downstreamUrl;
  if (downstreamUrl === undefined) {
    downstream = await startDownstream({ delayMs: settings.downstreamDelayMs });
    downstreamUrl = downstream.url;
  }

  const app = createApp({
    downstreamUrl,
    slow: { minMs: settings.slowMinMs, maxMs: settings.slowMaxMs },
  });
  const server = app.listen(settings.port, settings.host, (error?: Error) => {
    if (error !== undefined) {
      console.error(
        `express-api could not listen on ${settings.host}:${settings.port}: ${error.message}`,
      );
      process.exit(1);
    }
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    // One line, stable wording: tests and the demo read the URL from it (PORT=0).
    console.log(
      `express-api listening on http://${host}:${port} (downstream ${downstreamUrl}${downstream ? ', in-process' : ''}; some_slow_stuff ${settings.slowMinMs}-${settings.slowMaxMs} ms)`,
    );
  });
}

main().catch((error: unknown) => {
  console.error(`express-api: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
