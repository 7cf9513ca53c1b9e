import { parseArgs } from 'node:util';

/** What `pnpm demo` was asked to do. */
export interface DemoArgs {
  /** Requests to send. @defaultValue 50 */
  requests: number;
  /** Requests in flight at once. @defaultValue 4 */
  concurrency: number;
  /** A real GELF endpoint (e.g. a Graylog); undefined = the embedded gelf-tail receiver. */
  endpoint: string | undefined;
  help: boolean;
}

/** The `--help` text. */
export const DEMO_USAGE = `Usage: pnpm demo [-- options]

Starts express-api as a child process, sends it requests and shows the GELF summary of each
request as an embedded GELF receiver (gelf-tail) gets it. No Graylog needed.

Options:
  --requests N      requests to send (default 50)
  --concurrency N   requests in flight at once (default 4)
  --endpoint URL    send the summaries to a real Graylog instead, e.g.
                    udp://graylog.example:12201, tcp://…, http://…:12201/gelf
  -h, --help        this text

Environment: SLOW_MIN_MS / SLOW_MAX_MS set how long some_slow_stuff sleeps (default 10-300 ms).`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a whole number >= 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Parses the demo's command line. A `--` anywhere is ignored: `pnpm demo -- --requests 12`
 * passes it through, depending on the pnpm version and on how the script nests.
 * @throws Error with a readable message on an unknown option or a bad value
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const endpoint = values.endpoint?.trim();
  if (endpoint !== undefined && !/^(udp|tcp|tls|https?):\/\/[^/]/.test(endpoint)) {
    throw new Error(
      `--endpoint must look like udp://host:12201, tcp://host:12201, tls://… or http(s)://host:12201/gelf, got ${JSON.stringify(endpoint)}`,
    );
  }
  return {
    requests: positiveInt('requests', values.requests, 50),
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    endpoint: endpoint === '' ? undefined : endpoint,
    help: values.help === true,
  };
}
