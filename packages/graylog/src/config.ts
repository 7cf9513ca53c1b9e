import { readFileSync } from 'node:fs';
import { ConfigurationError } from './configuration-error.js';
import { DEFAULT_ENDPOINT, type GelfEndpoint, parseEndpoint } from './endpoint.js';
import { showValue } from './show-value.js';
import type { GelfTlsOptions } from './transports/tls.js';
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from './transports/udp.js';
import type { GelfCompression, GelfTransport } from './types.js';
import { findUnknownKeys } from './unknown-options.js';

/** How messages travel: our own sockets (`native`), gelf-pro 1.4.0, or a transport of yours. */
export type GelfTransportChoice = 'native' | 'gelf-pro' | GelfTransport;

/** Where and how GELF messages are sent. Every option may also come from the environment. */
export interface GelfOptions {
  /**
   * `udp://host:12201`, `tcp://…`, `tls://…`, `http(s)://host:12201/gelf` (default port 12201).
   * @defaultValue `OTEL_EXPORTER_GELF_ENDPOINT`, else 'udp://127.0.0.1:12201'
   */
  endpoint?: string;
  /** The GELF `host` field. @defaultValue `OTEL_EXPORTER_GELF_HOST`, else `os.hostname()` */
  host?: string;
  /** @defaultValue `OTEL_EXPORTER_GELF_TRANSPORT`, else 'native' */
  transport?: GelfTransportChoice;
  /**
   * UDP: `none | gzip | zlib | auto` (auto compresses only when that saves a chunk). HTTP: gzip,
   * zlib (deflate), none, or auto (gzip above 1 KiB). TCP/TLS: none only (GELF TCP has no
   * compression). @defaultValue `OTEL_EXPORTER_GELF_COMPRESSION`, else 'auto'
   */
  compression?: GelfCompression;
  /** UDP datagram size in bytes, 256–65507. @defaultValue `OTEL_EXPORTER_GELF_CHUNK_SIZE`, else 1420 */
  chunkSize?: number;
  /**
   * Connect and HTTP request timeout, and the longest `forceFlush`/`shutdown` wait, in ms.
   * @defaultValue `OTEL_EXPORTER_GELF_TIMEOUT`, else 10000
   */
  timeoutMillis?: number;
  /**
   * TLS for `tls://` and `https://`; certificates are verified unless `rejectUnauthorized: false`.
   * @defaultValue CA from the file named by `OTEL_EXPORTER_GELF_CERTIFICATE`, else Node's roots
   */
  tls?: GelfTlsOptions;
  /** UDP, HTTP and gelf-pro: messages in flight before new ones are dropped. */
  maxInFlight?: number;
  /** TCP/TLS: bytes buffered while disconnected or under backpressure. @defaultValue 4 MiB */
  maxBufferBytes?: number;
}

/**
 * The keys of {@link GelfOptions} (plus `env`), to split them from other options and to spot
 * unknown ones. `satisfies` keeps the list in step with the interface.
 */
export const GELF_OPTION_KEYS = Object.keys({
  endpoint: true,
  host: true,
  transport: true,
  compression: true,
  chunkSize: true,
  timeoutMillis: true,
  tls: true,
  maxInFlight: true,
  maxBufferBytes: true,
  env: true,
} satisfies Record<keyof GelfOptions | 'env', true>) as ReadonlyArray<keyof GelfOptions | 'env'>;

/** The keys of {@link GelfTlsOptions}, to spot unknown ones. */
const TLS_OPTION_KEYS = Object.keys({
  ca: true,
  cert: true,
  key: true,
  rejectUnauthorized: true,
  servername: true,
} satisfies Record<keyof GelfTlsOptions, true>);

/**
 * Splits combined options into the GELF ones (`G`) and the rest (`R`), e.g. a processor's
 * options that also carry where to send.
 */
export function splitGelfOptions<G extends GelfOptions, R>(options: G & R): { gelf: G; rest: R } {
  const gelf: Record<string, unknown> = {};
  const rest = { ...options } as Record<string, unknown>;
  for (const key of GELF_OPTION_KEYS) {
    if (key in rest) {
      gelf[key] = rest[key];
      delete rest[key];
    }
  }
  return { gelf: gelf as G, rest: rest as R };
}

/** The environment variables read when an option is not given in code. */
export const GELF_ENV = {
  endpoint: 'OTEL_EXPORTER_GELF_ENDPOINT',
  host: 'OTEL_EXPORTER_GELF_HOST',
  compression: 'OTEL_EXPORTER_GELF_COMPRESSION',
  chunkSize: 'OTEL_EXPORTER_GELF_CHUNK_SIZE',
  transport: 'OTEL_EXPORTER_GELF_TRANSPORT',
  timeoutMillis: 'OTEL_EXPORTER_GELF_TIMEOUT',
  certificate: 'OTEL_EXPORTER_GELF_CERTIFICATE',
} as const;

/** {@link GelfOptions} with defaults applied and every value checked. */
export interface ResolvedGelfConfig {
  endpoint: GelfEndpoint;
  /** undefined: the caller uses `os.hostname()`. */
  host: string | undefined;
  transport: GelfTransportChoice;
  compression: GelfCompression;
  chunkSize: number;
  timeoutMillis: number;
  tls: GelfTlsOptions | undefined;
  maxInFlight: number | undefined;
  maxBufferBytes: number | undefined;
}

/** Environment variables as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;

const COMPRESSIONS = new Set<string>(['none', 'gzip', 'zlib', 'auto']);
const DEFAULT_TIMEOUT_MS = 10_000;

function fromEnv(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  // OpenTelemetry treats an empty variable as unset.
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Resolves the GELF options: options given in code win over environment variables, which win
 * over defaults. Pure apart from reading the CA file named by `OTEL_EXPORTER_GELF_CERTIFICATE`
 * (through `readFile`, replaceable in tests). Keys it does not know are not its business (see
 * {@link GELF_OPTION_KEYS}).
 *
 * @param owner prefixes error messages, e.g. `GraylogSummaryProcessor`
 * @throws {@link ConfigurationError} naming the first bad value and where it came from
 */
export function resolveGelfConfig(
  options: GelfOptions,
  env: Environment,
  owner: string,
  readFile: (path: string) => Buffer = readFileSync,
): ResolvedGelfConfig {
  const result = tryResolveGelfConfig(options, env, readFile);
  if (typeof result === 'string') throw new ConfigurationError(`${owner}: ${result}`);
  return result;
}

/**
 * {@link resolveGelfConfig} without the owner: the resolved configuration, or the text of the
 * first problem (e.g. `invalid chunkSize "1420" (expected …)`), so that a caller can list it
 * with problems of its own.
 */
export function tryResolveGelfConfig(
  options: GelfOptions,
  env: Environment,
  readFile: (path: string) => Buffer = readFileSync,
): ResolvedGelfConfig | string {
  try {
    return resolve(options, env, readFile);
  } catch (err) {
    if (err instanceof ConfigurationError) return err.message;
    throw err;
  }
}

function resolve(
  options: GelfOptions,
  env: Environment,
  readFile: (path: string) => Buffer,
): ResolvedGelfConfig {
  const fail = (message: string): never => {
    throw new ConfigurationError(message);
  };
  if (typeof env !== 'object' || env === null) {
    fail(`invalid env ${showValue(env)} (expected an object of environment variables)`);
  }
  const describe = (option: string, envName: string, inCode: boolean) =>
    inCode ? option : envName;

  // endpoint
  const endpointInCode = options.endpoint !== undefined;
  const endpointText = options.endpoint ?? fromEnv(env, GELF_ENV.endpoint) ?? DEFAULT_ENDPOINT;
  if (typeof endpointText !== 'string')
    fail(`invalid endpoint ${showValue(endpointText)} (expected a URL string)`);
  let endpoint: GelfEndpoint;
  try {
    endpoint = parseEndpoint(endpointText, describe('endpoint', GELF_ENV.endpoint, endpointInCode));
  } catch (err) {
    return fail((err as Error).message);
  }

  // host
  const hostInCode = options.host !== undefined;
  const host = options.host ?? fromEnv(env, GELF_ENV.host);
  if (host !== undefined && (typeof host !== 'string' || host.trim() === '')) {
    fail(
      `invalid ${describe('host', GELF_ENV.host, hostInCode)} ${showValue(host)} (expected a non-empty string)`,
    );
  }

  // transport
  const transportInCode = options.transport !== undefined;
  const transport =
    options.transport ?? fromEnv(env, GELF_ENV.transport)?.toLowerCase() ?? 'native';
  if (typeof transport === 'string' && transport !== 'native' && transport !== 'gelf-pro') {
    fail(
      `invalid ${describe('transport', GELF_ENV.transport, transportInCode)} ${showValue(transport)} (expected "native" or "gelf-pro")`,
    );
  } else if (
    typeof transport !== 'string' &&
    (typeof transport !== 'object' || transport === null || typeof transport.send !== 'function')
  ) {
    fail(
      `invalid transport ${showValue(transport)} (expected "native", "gelf-pro" or an object implementing GelfTransport)`,
    );
  }
  const isHttp = endpoint.protocol === 'http' || endpoint.protocol === 'https';
  if (transport === 'gelf-pro' && isHttp) {
    fail(
      `gelf-pro has no HTTP transport (endpoint ${showValue(endpoint.url)}); use udp://, tcp:// or tls://`,
    );
  }

  // compression
  const compressionInCode = options.compression !== undefined;
  const compressionText = options.compression ?? fromEnv(env, GELF_ENV.compression)?.toLowerCase();
  const compressionName = describe('compression', GELF_ENV.compression, compressionInCode);
  if (compressionText !== undefined && !COMPRESSIONS.has(compressionText)) {
    fail(
      `invalid ${compressionName} ${showValue(compressionText)} (expected none, gzip, zlib or auto)`,
    );
  }
  const isStream = endpoint.protocol === 'tcp' || endpoint.protocol === 'tls';
  if (isStream && (compressionText === 'gzip' || compressionText === 'zlib')) {
    fail(
      `${compressionName} ${showValue(compressionText)} is not possible over ${endpoint.protocol}:// (GELF TCP is uncompressed); use none`,
    );
  }
  if (transport === 'gelf-pro' && compressionText !== undefined && compressionText !== 'auto') {
    fail(
      `${compressionName} ${showValue(compressionText)} cannot be set with gelf-pro (it always zlib-compresses UDP and never TCP); leave it unset`,
    );
  }
  const compression = (compressionText ?? (isStream ? 'none' : 'auto')) as GelfCompression;

  // numbers
  const chunkSize =
    number(options.chunkSize, env, GELF_ENV.chunkSize, 'chunkSize', fail, {
      min: MIN_CHUNK_SIZE,
      max: MAX_CHUNK_SIZE,
      integer: true,
    }) ?? DEFAULT_CHUNK_SIZE;
  const timeoutMillis =
    number(options.timeoutMillis, env, GELF_ENV.timeoutMillis, 'timeoutMillis', fail, {
      min: 1,
      max: 2_147_483_647,
      integer: false,
    }) ?? DEFAULT_TIMEOUT_MS;
  const limits = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };
  const maxInFlight = number(options.maxInFlight, {}, '', 'maxInFlight', fail, limits);
  const maxBufferBytes = number(options.maxBufferBytes, {}, '', 'maxBufferBytes', fail, limits);

  // TLS: checked whatever the endpoint (a bad value is a mistake even where it is ignored), then
  // a CA file from the environment unless a CA is given in code
  let tls = checkTls(options.tls, fail);
  const caFile = fromEnv(env, GELF_ENV.certificate);
  if (
    tls?.ca === undefined &&
    caFile !== undefined &&
    (endpoint.protocol === 'tls' || endpoint.protocol === 'https')
  ) {
    let ca: Buffer;
    try {
      ca = readFile(caFile);
    } catch (err) {
      return fail(
        `cannot read ${GELF_ENV.certificate} file ${showValue(caFile)}: ${(err as Error).message}`,
      );
    }
    tls = { ...tls, ca };
  }

  return {
    endpoint,
    host: host?.trim(),
    transport: transport as GelfTransportChoice,
    compression,
    chunkSize,
    timeoutMillis,
    tls,
    maxInFlight,
    maxBufferBytes,
  };
}

function number(
  inCode: number | undefined,
  env: Environment,
  envName: string,
  option: string,
  fail: (message: string) => never,
  range: { min: number; max: number; integer: boolean },
): number | undefined {
  const text = inCode === undefined && envName !== '' ? fromEnv(env, envName) : undefined;
  if (inCode === undefined && text === undefined) return undefined;
  const value = inCode ?? Number(text);
  const name = inCode !== undefined ? option : envName;
  const shown = showValue(inCode !== undefined ? inCode : text);
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    value < range.min ||
    value > range.max
  ) {
    const kind = range.integer ? 'an integer' : 'a number';
    fail(`invalid ${name} ${shown} (expected ${kind} from ${range.min} to ${range.max})`);
  }
  return value;
}

/**
 * `tls` must be an object of known keys with values of the documented types: a mistyped key
 * (`rejectUnauthorised`) or a truthy non-boolean would otherwise change verification silently.
 */
function checkTls(
  tls: GelfTlsOptions | undefined,
  fail: (message: string) => never,
): GelfTlsOptions | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    return fail(
      `invalid tls ${showValue(tls)} (expected an object with ca, cert, key, rejectUnauthorized, servername)`,
    );
  }
  const unknown = findUnknownKeys(tls, TLS_OPTION_KEYS, 'tls.');
  if (unknown.length > 0) fail(unknown[0]);
  const pem = (v: unknown) => typeof v === 'string' || Buffer.isBuffer(v);
  const check = (key: keyof GelfTlsOptions, ok: (v: unknown) => boolean, expected: string) => {
    const value = tls[key];
    if (value !== undefined && !ok(value))
      fail(`invalid tls.${key} ${showValue(value)} (expected ${expected})`);
  };
  check(
    'ca',
    (v) => pem(v) || (Array.isArray(v) && v.every(pem)),
    'PEM text, a Buffer or an array of them',
  );
  check('cert', pem, 'PEM text or a Buffer');
  check('key', pem, 'PEM text or a Buffer');
  check('rejectUnauthorized', (v) => typeof v === 'boolean', 'true or false');
  check('servername', (v) => typeof v === 'string' && v !== '', 'a non-empty string');
  return tls;
}

/**
 * A note when `tls` is given for an endpoint that does not use it (udp://, tcp://, http://): it
 * is ignored, which is worth a warning but not an error.
 */
export function ignoredTlsNote(options: GelfOptions, endpoint: GelfEndpoint): string | undefined {
  if (options.tls === undefined || endpoint.protocol === 'tls' || endpoint.protocol === 'https')
    return undefined;
  return `option tls is ignored for ${showValue(endpoint.url)} (only tls:// and https:// endpoints use it)`;
}
