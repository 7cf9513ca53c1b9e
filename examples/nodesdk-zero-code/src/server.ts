import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { timeit } from '@otel-gelf/timeit';
import express from 'express';

// Tracing is already running: `--import ./src/instrumentation.ts` loads it before this file.

const slowMinMs = Number(process.env.SLOW_MIN_MS ?? 10);
const slowMaxMs = Number(process.env.SLOW_MAX_MS ?? 1000);

const some_slow_stuff = timeit('some_slow_stuff', async () => {
  await sleep(slowMinMs + Math.floor(Math.random() * (slowMaxMs - slowMinMs + 1)));
});
const fast_stuff = timeit('fast_stuff', async () => {
  await sleep(1);
});

const app = express();
app.get('/api', async (_req, res) => {
  await some_slow_stuff();
  for (let i = 0; i < 13; i++) await fast_stuff();
  res.json({ result: 'OK', Hello: 'World!' });
});

const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`nodesdk-zero-code listening on http://${address}:${port}`);
});
