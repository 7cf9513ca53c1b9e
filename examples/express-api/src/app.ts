import { annotateRequest } from '@otel-gelf/graylog';
import express, { type Express } from 'express';
import { createWork, type SlowRange } from './work.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Base URL of the inventory service, without a trailing slash. */
  downstreamUrl: string;
  /** The range `some_slow_stuff` sleeps in. */
  slow: SlowRange;
}

/**
 * The keys the service adds to each request's message with `annotateRequest`: who asked (from
 * the `x-user-id` header, `anonymous` without one) and whether their profile was cached.
 * Each becomes a GELF field of its own, `_user_id` and `_cache`.
 */
export const ANNOTATION_KEYS = ['user_id', 'cache'] as const;

/** How many times a request calls `fast_stuff`, as in the Flask example. */
export const FAST_CALLS = 13;

/**
 * The Flask example's service on Express: `GET|POST /api` looks up the caller's profile (cached,
 * else `load_profile()`), calls `some_slow_stuff()` once, `fast_stuff()` 13 times and the
 * inventory service once, then answers `{"result": "OK", "Hello": "World!"}`.
 */
export function createApp(options: AppOptions): Express {
  const { some_slow_stuff, fast_stuff, profileOf } = createWork(options.slow);
  const app = express();
  // A middleware as most services have one; its span shows in the summary like any other.
  app.use(express.json());
  // Who is asking, known in a middleware: on the request's one message from here on.
  app.use(function identify(req, _res, next) {
    annotateRequest({ user_id: req.get('x-user-id') ?? 'anonymous' });
    next();
  });

  app.all('/api', async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.set('allow', 'GET, POST').status(405).json({ error: 'method not allowed' });
      return;
    }
    await profileOf(req.get('x-user-id') ?? 'anonymous');
    await some_slow_stuff();
    for (let i = 0; i < FAST_CALLS; i++) await fast_stuff();
    // The outgoing call shows up in the summary as the undici client span.
    const inventory = await fetch(`${options.downstreamUrl}/inventory`);
    if (!inventory.ok) throw new Error(`inventory answered ${inventory.status}`);
    await inventory.json();
    res.json({ result: 'OK', Hello: 'World!' });
  });

  return app;
}
