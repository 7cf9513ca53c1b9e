import express, { type Express } from 'express';
import { FAST_CALLS } from 'express-api/src/app.js';
import { createWork } from 'express-api/src/work.js';

/**
 * The Flask example's route, as examples/express-api serves it but without the downstream call
 * (so the service is the only process on its core): `GET /api` calls `some_slow_stuff()` once and
 * `fast_stuff()` 13 times, both through `timeit`, and answers `{"result": "OK", "Hello": "World!"}`.
 * `slowMs` is how long `some_slow_stuff` sleeps (`fast_stuff` sleeps 1 ms, as in the example);
 * `onHandled` is called when a request's work is done, answered or not (its client may be gone).
 */
export function createBenchApp(slowMs: number, onHandled: () => void): Express {
  const { some_slow_stuff, fast_stuff } = createWork({ minMs: slowMs, maxMs: slowMs });
  const app = express();
  // The example's middleware: its span is one of the request's operations.
  app.use(express.json());
  app.get('/api', async (_req, res) => {
    try {
      await some_slow_stuff();
      for (let i = 0; i < FAST_CALLS; i++) await fast_stuff();
      res.json({ result: 'OK', Hello: 'World!' });
    } finally {
      onHandled();
    }
  });
  return app;
}
