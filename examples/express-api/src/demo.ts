/*
 * `pnpm demo`: the whole story in one command, no Graylog needed. Starts an embedded GELF
 * receiver (gelf-tail), starts express-api as a child process sending its summaries there,
 * sends it requests, prints each request's summary as it arrives, then an overview.
 * `--endpoint URL` sends the summaries to a real Graylog instead.
 */
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createGelfReceiver, type GelfReceiver } from '@otel-gelf/gelf-tail';
import { ANNOTATION_KEYS } from './app.js';
import { type ServiceProcess, startService } from './child-service.js';
import { DEMO_USAGE, type DemoArgs, parseDemoArgs } from './demo-args.js';
import {
  compactLayout,
  compactLine,
  detailBlock,
  durationLine,
  graylogSection,
  type NumberedView,
  operationsOverview,
  progressLine,
  slowestCall,
} from './demo-report.js';
import { byEnd, isApiSummary, type RequestView, requestView } from './overview.js';
import {
  cut,
  fitParts,
  headerLine,
  type Layout,
  outputWidth,
  type Part,
  painter,
  StatusLine,
  wantsColor,
} from './terminal.js';

const EXPECTED_BODY = { result: 'OK', Hello: 'World!' };
/** How long to wait for summaries after the last answer, before and after the service flushes. */
const STRAGGLER_MS = 3000;
/** Requests shown in full (their operations table) before the one-line-per-request list. */
const FULL_REQUESTS = 3;
/**
 * Messages of one batch arrive together: they are printed this long after the first of a burst,
 * sorted by when their request ended (datagrams may overtake one another).
 */
const REORDER_MS = 25;
/** Express's handler span lasts as long as the request: not "the slowest call". */
const WRAPPERS = ['request handler'];
const SERVICE = 'express-api';

const out = process.stdout;
const color = wantsColor(out, process.env);
const paint = painter(color);
const status = new StatusLine(out);
const width = () => outputWidth(out, process.env);

/** A section title: `── title ───…`, as wide as the output. */
function rule(title: string): string {
  const text = cut(`── ${title} `, width() - 1);
  return paint('bold', text + '─'.repeat(Math.max(0, width() - 1 - text.length)));
}

interface Results {
  sent: number;
  ok: number;
  failures: string[];
}

/** Which user request `i` is made for: 12 users, so that the first visits miss the cache. */
function userOf(i: number): string {
  return `u-${1 + ((i * 7) % 12)}`;
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
        const headers: Record<string, string> = { 'x-user-id': userOf(i) };
        if (post) headers['content-type'] = 'application/json';
        const res = await fetch(`${url}/api`, {
          method: post ? 'POST' : 'GET',
          headers,
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

/** `  label               parts…`, fitted to the width (parts with a `drop` rank go first). */
function labelled(text: string, parts: Part[]): string {
  return fitParts(parts, width(), paint, `  ${label(text)}`, ' ');
}

function printOverview(
  results: Results,
  views: readonly RequestView[],
  others: number,
  elapsedMs: number,
): void {
  const w = width();
  const missing = results.sent - views.length;
  const violations = views.filter((v) => v.received.violations.length > 0).length;
  const transports = [...new Set(views.map((v) => v.received.transport))].join(', ') || '-';
  const durations = durationLine(views);
  const lines = [
    '',
    rule('overview'),
    `  ${label('requests sent')}${results.sent}  (${results.ok} answered 200 ${JSON.stringify(EXPECTED_BODY)})`,
    `  ${label('summaries received')}${views.length} for /api${others > 0 ? `, ${others} other` : ''}  (${transports}; ${violations === 0 ? 'all valid GELF 1.1' : paint('yellow', `${violations} with GELF violations`)})`,
  ];
  if (durations !== undefined) lines.push(`  ${label('request duration')}${durations}`);
  lines.push(`  ${label('elapsed')}${(elapsedMs / 1000).toFixed(1)} s`);
  const ops = operationsOverview(views, w, paint);
  if (ops.length > 0) lines.push('', ...ops);
  const graylog = graylogSection(views, {
    width: w,
    paint,
    annotationKeys: ANNOTATION_KEYS,
    wrappers: WRAPPERS,
    service: SERVICE,
  });
  if (graylog.length > 0) lines.push('', rule('in Graylog'), ...graylog);
  lines.push('');
  if (missing === 0 && results.failures.length === 0) {
    lines.push(
      paint('green', `✔ ${results.sent} requests, ${views.length} GELF summaries: one per request`),
    );
  }
  out.write(`${lines.join('\n')}\n`);
}

/**
 * Prints the requests as they arrive, in the order they ended: the first {@link FULL_REQUESTS}
 * in full, then one line each.
 */
class RequestPrinter {
  readonly views: RequestView[] = [];
  private readonly pending: RequestView[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private layout: Layout<NumberedView> | undefined = undefined;
  private readonly total: number;

  constructor(total: number) {
    this.total = total;
  }

  add(view: RequestView): void {
    this.pending.push(view);
    this.timer ??= setTimeout(() => this.flush(), REORDER_MS);
  }

  /** Prints what has arrived; called by the timer, and once more at the end. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.sort(byEnd);
    for (const view of this.pending.splice(0)) {
      this.views.push(view);
      const n = this.views.length;
      const w = width();
      if (n === 1)
        status.print(rule(`the first ${FULL_REQUESTS} requests in full, in the order they ended`));
      if (n <= FULL_REQUESTS) {
        status.print(`${detailBlock(view, n, w, paint).join('\n')}\n`);
        continue;
      }
      if (this.layout === undefined || this.layout.width !== w) {
        if (this.layout === undefined) {
          status.print(`\n${rule('then one line per request, in the order they ended')}`);
        }
        this.layout = compactLayout(this.total, w);
        status.print(headerLine(this.layout, paint));
      }
      status.print(
        compactLine(this.layout, { n, view, slowest: slowestCall(view, WRAPPERS) }, paint),
      );
    }
  }
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
      `${paint('bold', 'otel-gelf demo')} ${paint('dim', cut('· express-api → one GELF summary per request', width() - 16))}\n\n`,
    );
    let endpoint = args.endpoint;
    if (endpoint === undefined) {
      receiver = await createGelfReceiver({ host: '127.0.0.1', udp: 0 });
      endpoint = `udp://127.0.0.1:${receiver.ports.udp}`;
      out.write(
        `${labelled('GELF receiver', [{ text: 'gelf-tail, embedded, on' }, { text: endpoint, style: 'cyan' }])}\n`,
      );
    } else {
      out.write(
        `${labelled('GELF endpoint', [
          { text: endpoint, style: 'cyan' },
          { text: '(no embedded receiver)', drop: 1 },
        ])}\n`,
      );
    }

    const printer = new RequestPrinter(args.requests);
    let received = 0;
    let others = 0;
    let answered = 0;
    let sending = 0;
    const render = () => {
      status.update((w) =>
        progressLine(
          {
            answered,
            total: args.requests,
            received: receiver === undefined ? undefined : received,
            inFlight: sending,
          },
          w,
          paint,
        ),
      );
    };
    if (out.isTTY) out.on('resize', () => status.redraw());
    receiver?.on('message', (m) => {
      if (isApiSummary(m)) {
        received++;
        printer.add(requestView(m, ANNOTATION_KEYS));
      } else {
        others++;
      }
      render();
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
    const users = new Set(Array.from({ length: args.requests }, (_, i) => userOf(i))).size;
    out.write(
      `${labelled('service', [{ text: 'express-api at' }, { text: service.url, style: 'cyan' }, { text: `(child process ${service.child.pid})`, drop: 1 }])}\n`,
    );
    out.write(
      `${labelled('sending', [{ text: `${args.requests} requests to /api (GET and POST, ${users} users),` }, { text: `${args.concurrency} at a time` }])}\n\n`,
    );

    const every = Math.max(1, Math.round(args.requests / 5));
    let lastNoted = 0;
    const progress = (r: Results, inFlight: number) => {
      answered = r.sent - inFlight;
      sending = inFlight;
      render();
      if (answered - lastNoted >= every || (answered === args.requests && lastNoted < answered)) {
        lastNoted = answered;
        const got = receiver === undefined ? '' : `, ${received} summaries received`;
        status.note(paint('dim', `… ${answered}/${args.requests} requests answered${got}`));
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

    const count = () => received;
    // Summaries leave in batches: wait for stragglers, then let the service flush what it holds.
    if (!(await waitUntil(receiver, count, results.sent, STRAGGLER_MS))) {
      await service.stop();
      await waitUntil(receiver, count, results.sent, STRAGGLER_MS);
    }
    printer.flush();
    status.clear();
    await service.stop();
    printOverview(results, printer.views, others, Date.now() - started);

    const missing = results.sent - printer.views.length;
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
