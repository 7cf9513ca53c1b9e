/*
 * `pnpm demo`: the whole story in one command, no Graylog needed. Starts an embedded GELF
 * receiver (gelf-tail), starts express-api as a child process sending its summaries there,
 * sends it requests, prints each request's summary as it arrives, then an overview.
 * `--endpoint URL` sends the summaries to a real Graylog instead.
 */
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  createGelfReceiver,
  formatSummary,
  type GelfReceiver,
  type ReceivedGelf,
} from '@otel-gelf/gelf-tail';
import { type ServiceProcess, startService } from './child-service.js';
import { DEMO_USAGE, type DemoArgs, parseDemoArgs } from './demo-args.js';
import { aggregateOperations, isApiSummary, requestDurations } from './overview.js';
import { bar, ms, painter, StatusLine, table, wantsColor } from './terminal.js';

const EXPECTED_BODY = { result: 'OK', Hello: 'World!' };
/** How long to wait for summaries after the last answer, before and after the service flushes. */
const STRAGGLER_MS = 3000;

const out = process.stdout;
const color = wantsColor(out, process.env);
const paint = painter(color);
const status = new StatusLine(out);

interface Results {
  sent: number;
  ok: number;
  failures: string[];
}

async function sendRequests(
  url: string,
  args: DemoArgs,
  progress: (results: Results, inFlight: number) => void,
): Promise<Results> {
  const results: Results = { sent: 0, ok: 0, failures: [] };
  let next = 0;
  let inFlight = 0;
  const worker = async () => {
    while (next < args.requests) {
      const i = next++;
      // Every third request is a POST with a JSON body, as the Flask route accepts both.
      const post = i % 3 === 2;
      inFlight++;
      results.sent++;
      progress(results, inFlight);
      try {
        const res = await fetch(`${url}/api`, {
          method: post ? 'POST' : 'GET',
          headers: post ? { 'content-type': 'application/json' } : undefined,
          body: post ? JSON.stringify({ n: i }) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        const body: unknown = await res.json().catch(() => undefined);
        if (res.status === 200 && isDeepStrictEqual(body, EXPECTED_BODY)) results.ok++;
        else results.failures.push(`request ${i + 1}: ${res.status} ${JSON.stringify(body)}`);
      } catch (error) {
        results.failures.push(`request ${i + 1}: ${(error as Error).message}`);
      } finally {
        inFlight--;
        progress(results, inFlight);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.requests) }, worker));
  return results;
}

/** Resolves true once `count()` reaches `target`, false after `timeoutMs`. */
function waitUntil(
  receiver: GelfReceiver,
  count: () => number,
  target: number,
  timeoutMs: number,
): Promise<boolean> {
  if (count() >= target) return Promise.resolve(true);
  return new Promise((done) => {
    const onMessage = () => {
      if (count() < target) return;
      clearTimeout(timer);
      receiver.off('message', onMessage);
      done(true);
    };
    const timer = setTimeout(() => {
      receiver.off('message', onMessage);
      done(false);
    }, timeoutMs);
    receiver.on('message', onMessage);
  });
}

function label(text: string): string {
  return paint('dim', text.padEnd(20));
}

function printOverview(
  results: Results,
  summaries: ReceivedGelf[],
  others: number,
  elapsedMs: number,
): void {
  const missing = results.sent - summaries.length;
  const violations = summaries.filter((m) => m.violations.length > 0).length;
  const transports = [...new Set(summaries.map((m) => m.transport))].join(', ') || '-';
  const durations = requestDurations(summaries);
  const lines = [
    '',
    paint('bold', `── overview ${'─'.repeat(60)}`),
    `  ${label('requests sent')}${results.sent}  (${results.ok} answered 200 ${JSON.stringify(EXPECTED_BODY)})`,
    `  ${label('summaries received')}${summaries.length} for /api${others > 0 ? `, ${others} other` : ''}  (${transports}; ${violations === 0 ? 'all valid GELF 1.1' : paint('yellow', `${violations} with GELF violations`)})`,
  ];
  if (durations !== undefined) {
    lines.push(
      `  ${label('request duration')}min ${ms(durations.minMs)} ms · mean ${ms(durations.meanMs)} ms · max ${ms(durations.maxMs)} ms`,
    );
  }
  lines.push(`  ${label('elapsed')}${(elapsedMs / 1000).toFixed(1)} s`);
  const ops = aggregateOperations(summaries);
  if (ops.length > 0) {
    lines.push('', `  ${paint('bold', 'operations over all requests, slowest first (by max)')}`);
    lines.push(
      ...table(
        ['operation', 'calls', 'per request', 'min ms', 'mean ms', 'max ms'],
        ops.map((op) => [
          op.name,
          String(op.calls),
          (op.calls / op.requests).toFixed(op.calls % op.requests === 0 ? 0 : 1),
          ms(op.minMs),
          ms(op.meanMs),
          ms(op.maxMs),
        ]),
        paint,
        '    ',
      ),
    );
  }
  lines.push('');
  if (missing === 0 && results.failures.length === 0) {
    lines.push(
      paint(
        'green',
        `✔ ${results.sent} requests, ${summaries.length} GELF summaries: one per request`,
      ),
    );
  }
  out.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(DEMO_USAGE);
    return 0;
  }

  const started = Date.now();
  let receiver: GelfReceiver | undefined;
  let service: ServiceProcess | undefined;
  let serviceWarnings = 0;
  const stopAll = async () => {
    status.clear();
    await service?.stop();
    await receiver?.close();
  };
  process.once('SIGINT', () => {
    stopAll().finally(() => process.exit(130));
  });

  try {
    out.write(
      `${paint('bold', 'otel-gelf demo')} ${paint('dim', '· express-api → one GELF summary per request')}\n\n`,
    );
    let endpoint = args.endpoint;
    if (endpoint === undefined) {
      receiver = await createGelfReceiver({ host: '127.0.0.1', udp: 0 });
      endpoint = `udp://127.0.0.1:${receiver.ports.udp}`;
      out.write(`  ${label('GELF receiver')}gelf-tail, embedded, on ${paint('cyan', endpoint)}\n`);
    } else {
      out.write(`  ${label('GELF endpoint')}${paint('cyan', endpoint)} (no embedded receiver)\n`);
    }

    const summaries: ReceivedGelf[] = [];
    let others = 0;
    let answered = 0;
    let sending = 0;
    const render = () => {
      const received = receiver === undefined ? '' : ` · ${summaries.length} summaries`;
      const tail =
        answered === args.requests ? ' · waiting for summaries' : ` · ${sending} in flight`;
      status.update(
        `${paint('cyan', bar(answered, args.requests, 30))} ${answered}/${args.requests} answered${received}${tail}`,
      );
    };
    receiver?.on('message', (m) => {
      if (isApiSummary(m)) summaries.push(m);
      else others++;
      render();
      status.print(formatSummary(m, { color }));
    });

    service = await startService({
      cwd: resolve(__dirname, '..'),
      env: {
        OTEL_EXPORTER_GELF_ENDPOINT: endpoint,
        // A shorter range than the service's 10-1000 ms default keeps the demo quick.
        SLOW_MIN_MS: process.env.SLOW_MIN_MS ?? '10',
        SLOW_MAX_MS: process.env.SLOW_MAX_MS ?? '300',
      },
      onStderrLine: (line) => {
        serviceWarnings++;
        status.print(paint('yellow', `  [express-api] ${line}`));
      },
    });
    out.write(
      `  ${label('service')}express-api at ${paint('cyan', service.url)} (child process ${service.child.pid})\n`,
    );
    out.write(
      `  ${label('sending')}${args.requests} requests to /api (GET and POST), ${args.concurrency} at a time\n\n`,
    );

    const every = Math.max(1, Math.round(args.requests / 5));
    let lastNoted = 0;
    const progress = (r: Results, inFlight: number) => {
      answered = r.sent - inFlight;
      sending = inFlight;
      render();
      if (answered - lastNoted >= every || (answered === args.requests && lastNoted < answered)) {
        lastNoted = answered;
        const received = receiver === undefined ? '' : `, ${summaries.length} summaries received`;
        status.note(paint('dim', `… ${answered}/${args.requests} requests answered${received}`));
      }
    };

    const results = await sendRequests(service.url, args, progress);
    for (const failure of results.failures) status.print(paint('red', `  ✗ ${failure}`));

    if (receiver === undefined) {
      // Stopping the service flushes the summaries it still holds to the endpoint.
      await service.stop();
      status.clear();
      out.write(
        `\n  ${label('requests sent')}${results.sent} (${results.ok} answered as expected)\n  ${label('summaries')}sent to ${endpoint}; search Graylog for _service_name:express-api\n`,
      );
      return results.failures.length === 0 ? 0 : 1;
    }

    const count = () => summaries.length;
    // Summaries leave in batches: wait for stragglers, then let the service flush what it holds.
    if (!(await waitUntil(receiver, count, results.sent, STRAGGLER_MS))) {
      await service.stop();
      await waitUntil(receiver, count, results.sent, STRAGGLER_MS);
    }
    status.clear();
    await service.stop();
    printOverview(results, summaries, others, Date.now() - started);

    const missing = results.sent - summaries.length;
    if (missing > 0) {
      console.error(
        paint(
          'red',
          `✗ ${missing} of ${results.sent} GELF summaries missing (waited ${(2 * STRAGGLER_MS) / 1000} s after the last answer and after stopping the service).`,
        ),
      );
      console.error(
        serviceWarnings > 0
          ? `  The service reported problems (the [express-api] lines above).`
          : `  The service printed no error: is ${endpoint} reachable from it?`,
      );
      return 1;
    }
    if (missing < 0) {
      console.error(paint('red', `✗ ${-missing} more /api summaries than requests sent.`));
      return 1;
    }
    if (results.failures.length > 0) {
      console.error(paint('red', `✗ ${results.failures.length} request(s) failed (see above).`));
      return 1;
    }
    return 0;
  } catch (error) {
    status.clear();
    console.error(paint('red', `✗ demo failed: ${(error as Error).message}`));
    return 1;
  } finally {
    await stopAll();
  }
}

main().then((code) => {
  process.exitCode = code;
});
