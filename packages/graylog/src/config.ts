import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isGraylogBlank } from './blank.js';
import { ConfigurationError } from './configuration-error.js';
import { DEFAULT_ENDPOINT, type GelfEndpoint, parseEndpoint } from './endpoint.js';
import {
  type FieldBudgetOptions,
  fieldOptionProblems,
  type OperationStatistic,
} from './gelf-plan.js';
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
   * UDP: `none | gzip | zlib | auto` (auto compresses a message of more than 4 datagrams, when that saves one). HTTP: gzip,
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
  /**
   * Only the fixed fields and `full_message` (no attribute or `_op_*` fields), for indices
   * shared by many services. @defaultValue `OTEL_EXPORTER_GELF_COMPACT` (`true`/`false`), else false
   */
  compact?: boolean;
  /**
   * The statistics written as `_op_<name>_<statistic>` fields per operation.
   * @defaultValue `OTEL_EXPORTER_GELF_OPERATION_FIELDS` (comma-separated), else
   * `['count', 'sum_ms', 'max_ms']`
   */
  operationFields?: readonly OperationStatistic[];
  /**
   * How many distinct operations get `_op_*` fields, per exporter: the first ones seen; later
   * ones are folded into `_ops_other_*` (and listed in `full_message`).
   * @defaultValue `OTEL_EXPORTER_GELF_MAX_FIELD_OPERATIONS`, else as many as keep the exporter
   * within 300 field names (56 with the default `operationFields`)
   */
  maxFieldOperations?: number;
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
  compact: true,
  operationFields: true,
  maxFieldOperations: true,
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
  compact: 'OTEL_EXPORTER_GELF_COMPACT',
  operationFields: 'OTEL_EXPORTER_GELF_OPERATION_FIELDS',
  maxFieldOperations: 'OTEL_EXPORTER_GELF_MAX_FIELD_OPERATIONS',
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
  /** How messages are shaped: the exporter's {@link FieldBudget}'s options. */
  fields: FieldBudgetOptions;
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
  // One rule for every option: null is a value, and no option takes it (leaving an option out,
  // or undefined, means its default), as the processor's own options.
  for (const key of GELF_OPTION_KEYS) {
    if ((options as Record<string, unknown>)[key] === null) {
      fail(`invalid ${key} null (leave the option out, or undefined, for its default)`);
    }
  }

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
  // Checked as it will be sent (trimmed): "\x1f\u00a0" trims to "\x1f", which Graylog refuses.
  if (host !== undefined && (typeof host !== 'string' || isGraylogBlank(host.trim()))) {
    fail(
      `invalid ${describe('host', GELF_ENV.host, hostInCode)} ${showValue(host)} (expected a string that is not blank: Graylog refuses every message whose host is white space or control characters such as "\\x1c")`,
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
    const problem = pemProblem(ca, 'certificate');
    if (problem !== undefined) {
      fail(`${GELF_ENV.certificate} file ${showValue(caFile)} ${problem}`);
    }
    tls = { ...tls, ca };
  }

  const fields = resolveFields(options, env, fail);

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
    fields,
  };
}

/** The field options, from code or else the environment, checked (see {@link fieldOptionProblems}). */
function resolveFields(
  options: GelfOptions,
  env: Environment,
  fail: (message: string) => never,
): FieldBudgetOptions {
  const fields: { -readonly [K in keyof FieldBudgetOptions]: FieldBudgetOptions[K] } = {};
  const inCode = {
    compact: options.compact !== undefined,
    operationFields: options.operationFields !== undefined,
    maxFieldOperations: options.maxFieldOperations !== undefined,
  };
  if (inCode.compact) fields.compact = options.compact;
  else {
    const text = fromEnv(env, GELF_ENV.compact)?.toLowerCase();
    if (text !== undefined) {
      if (text !== 'true' && text !== 'false') {
        fail(`invalid ${GELF_ENV.compact} ${showValue(text)} (expected true or false)`);
      }
      fields.compact = text === 'true';
    }
  }
  if (inCode.operationFields) fields.operationFields = options.operationFields;
  else {
    const text = fromEnv(env, GELF_ENV.operationFields);
    if (text !== undefined) {
      fields.operationFields = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '') as OperationStatistic[];
    }
  }
  if (inCode.maxFieldOperations) fields.maxFieldOperations = options.maxFieldOperations;
  else {
    const text = fromEnv(env, GELF_ENV.maxFieldOperations);
    if (text !== undefined) {
      if (!DECIMAL.test(text)) {
        fail(
          `invalid ${GELF_ENV.maxFieldOperations} ${showValue(text)} (expected a decimal integer)`,
        );
      }
      fields.maxFieldOperations = Number(text);
    }
  }
  const [problem] = fieldOptionProblems(fields);
  if (problem !== undefined) {
    // Name the variable when the value came from the environment.
    const key = /^invalid (\w+)/.exec(problem)?.[1] as keyof typeof inCode | undefined;
    fail(
      key !== undefined && key in inCode && !inCode[key]
        ? problem.replace(key, GELF_ENV[key])
        : problem,
    );
  }
  return fields;
}

/** A size or a count as environment variables may give it: decimal digits only (no `0x400`, `1e3`). */
const DECIMAL = /^[0-9]+$/;

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
  const name = inCode !== undefined ? option : envName;
  const shown = showValue(inCode !== undefined ? inCode : text);
  // From the environment, decimal digits only: Number() would also take `0x400`, `1e3`, `0b1`.
  if (inCode === undefined && !DECIMAL.test(text!)) {
    fail(`invalid ${name} ${shown} (expected a decimal integer from ${range.min} to ${range.max})`);
  }
  const value = inCode ?? Number(text);
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
  // Node would take any text here and fail at the first connection: check it is PEM now.
  const pemCheck = (key: 'ca' | 'cert' | 'key', value: unknown) => {
    const problem = pemProblem(value as string | Buffer, key === 'key' ? 'key' : 'certificate');
    // A key's text is a secret: say only how long it is.
    const shown =
      key === 'key'
        ? `(${(value as string | Buffer).length} bytes, not shown)`
        : showValue(String(value));
    if (problem !== undefined) fail(`invalid tls.${key} ${shown}: ${problem}`);
  };
  const ca = tls.ca as unknown;
  for (const one of Array.isArray(ca) ? ca : ca === undefined ? [] : [ca]) pemCheck('ca', one);
  if (tls.cert !== undefined) pemCheck('cert', tls.cert);
  if (tls.key !== undefined) pemCheck('key', tls.key);
  check('rejectUnauthorized', (v) => typeof v === 'boolean', 'true or false');
  check('servername', (v) => typeof v === 'string' && v !== '', 'a non-empty string');
  return tls;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Why `value` is no PEM certificate (or private key), or undefined when it is one: it must hold a
 * PEM block of that kind that parses (an encrypted key is only checked for its block, as there
 * is no passphrase option).
 */
function pemProblem(value: string | Buffer, kind: 'certificate' | 'key'): string | undefined {
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (kind === 'certificate') {
    if (!PEM_CERTIFICATE.test(text)) return 'is not PEM (expected -----BEGIN CERTIFICATE-----)';
    try {
      new X509Certificate(value);
    } catch (err) {
      return `is no valid PEM certificate: ${(err as Error).message}`;
    }
    return undefined;
  }
  if (!PEM_KEY.test(text)) return 'is not PEM (expected -----BEGIN PRIVATE KEY----- or the like)';
  if (text.includes('ENCRYPTED')) return undefined;
  try {
    createPrivateKey(value);
  } catch (err) {
    return `is no valid PEM private key: ${(err as Error).message}`;
  }
  return undefined;
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
