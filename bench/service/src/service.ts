/*
 * One service process of the benchmark: BENCH_CONFIG says which tracing setup, BENCH_SINK_PORT
 * where it sends. Started by run.ts with an IPC channel; it answers `begin` and `end` with what
 * it measured of itself in between.
 */
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as AppModule from './app.js';
import { isConfigName } from './configs.js';
import type { ServiceCommand, ServiceReport } from './protocol.js';
import { startTracing } from './tracing.js';

const config = process.env.BENCH_CONFIG ?? '';
if (!isConfigName(config)) throw new Error(`BENCH_CONFIG: unknown setup "${config}"`);
const tracing = startTracing(
  config,
  Number(process.env.BENCH_SINK_PORT ?? 0),
  process.env.BENCH_TIME_CALLS === '1',
);
// Loaded only now, so the instrumentations' require hooks patch express and http.
const { createBenchApp } = require('./app.js') as typeof AppModule;

const report = (message: ServiceReport): void => {
  process.send!(message);
};

// Requests whose work is done (counted in the route, not with a middleware: a middleware would
// be a span of its own), and those whose response has not closed yet (the http server span ends
// when the response finishes, after the route's work).
let handled = 0;
let open = 0;
const app = createBenchApp(Number(process.env.BENCH_SLOW_MS ?? 5), () => {
  handled++;
});
const server = app.listen(0, '127.0.0.1', () => {
  report({ type: 'ready', port: (server.address() as AddressInfo).port });
});
server.keepAliveTimeout = 60_000;

server.on('request', (_request, response) => {
  open++;
  response.once('close', () => {
    open--;
  });
});

const delay = monitorEventLoopDelay({ resolution: 10 });
let cpuAtBegin = process.cpuUsage();
let handledAtBegin = 0;

/**
 * Resolves once every response has closed (or after 10 s) and the summaries of the last requests
 * have been taken.
 */
async function settle(): Promise<void> {
  for (let i = 0; open > 0 && i < 2000; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

async function onCommand(command: ServiceCommand): Promise<void> {
  if (command.type === 'begin') {
    await settle();
    // What ended before the window is exported now, not inside it.
    await tracing.flush();
    delay.reset();
    delay.enable();
    handledAtBegin = handled;
    cpuAtBegin = process.cpuUsage();
    tracing.timer?.reset();
    report({ type: 'begun' });
  } else if (command.type === 'end') {
    await settle();
    await tracing.flush();
    const cpu = process.cpuUsage(cpuAtBegin);
    delay.disable();
    report({
      type: 'ended',
      requests: handled - handledAtBegin,
      cpuUs: cpu.user + cpu.system,
      systemCpuUs: cpu.system,
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: delay.max / 1e6,
      rssBytes: process.memoryUsage.rss(),
      ...(tracing.timer === undefined ? {} : { calls: tracing.timer.take() }),
    });
  } else {
    server.close();
    server.closeAllConnections();
    await tracing.shutdown();
    process.exit(0);
  }
}

process.on('message', (command: ServiceCommand) => {
  onCommand(command).catch((error: unknown) => {
    console.error(`bench service (${config}): ${String(error)}`);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
