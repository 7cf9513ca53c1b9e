/** How the service is configured: environment variables only, read once at startup. */
export interface Settings {
  /** `PORT`; 0 picks a free port. @defaultValue 8080 */
  port: number;
  /** `HOST`. @defaultValue '127.0.0.1' */
  host: string;
  /** `DOWNSTREAM_URL`; undefined starts the inventory service in-process on a free port. */
  downstreamUrl: string | undefined;
  /** `SLOW_MIN_MS`: the shortest sleep of `some_slow_stuff`. @defaultValue 10 */
  slowMinMs: number;
  /** `SLOW_MAX_MS`: the longest sleep of `some_slow_stuff`. @defaultValue 1000 */
  slowMaxMs: number;
  /** `DOWNSTREAM_DELAY_MS`: how long the in-process inventory service takes. @defaultValue 3 */
  downstreamDelayMs: number;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  // A typo in a demo setting should say so at once instead of sleeping NaN ms.
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Reads {@link Settings} from the environment; throws a readable error on a bad value. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const slowMinMs = intFromEnv(env, 'SLOW_MIN_MS', 10);
  const slowMaxMs = intFromEnv(env, 'SLOW_MAX_MS', Math.max(1000, slowMinMs));
  if (slowMaxMs < slowMinMs) {
    throw new Error(`SLOW_MAX_MS (${slowMaxMs}) must not be below SLOW_MIN_MS (${slowMinMs})`);
  }
  const downstreamUrl = env.DOWNSTREAM_URL?.trim();
  return {
    port: intFromEnv(env, 'PORT', 8080),
    host: env.HOST?.trim() || '127.0.0.1',
    downstreamUrl: downstreamUrl === '' ? undefined : downstreamUrl?.replace(/\/+$/, ''),
    slowMinMs,
    slowMaxMs,
    downstreamDelayMs: intFromEnv(env, 'DOWNSTREAM_DELAY_MS', 3),
  };
}
