import { describe, expect, it } from 'vitest';
import { GELF_ENV, ignoredTlsNote, resolveGelfConfig } from '../src/config.js';
import { ConfigurationError } from '../src/configuration-error.js';
import { parseEndpoint } from '../src/endpoint.js';
import { selfSignedCertificate } from './helpers.js';

const pem = selfSignedCertificate();

const OWNER = 'GraylogSummaryProcessor';
const resolve = (
  options = {},
  env: Record<string, string | undefined> = {},
  readFile?: (p: string) => Buffer,
) => resolveGelfConfig(options, env, OWNER, readFile);

describe('parseEndpoint', () => {
  it.each([
    ['udp://graylog:12201', { protocol: 'udp', host: 'graylog', port: 12201 }],
    ['udp://graylog', { protocol: 'udp', host: 'graylog', port: 12201 }],
    ['tcp://10.0.0.1:1514', { protocol: 'tcp', host: '10.0.0.1', port: 1514 }],
    ['tls://graylog.example:12201/', { protocol: 'tls', host: 'graylog.example' }],
    ['udp://[::1]:5000', { protocol: 'udp', host: '::1', port: 5000 }],
    ['http://graylog', { protocol: 'http', port: 12201, path: '/gelf' }],
    ['https://graylog:443/custom/gelf', { protocol: 'https', port: 443, path: '/custom/gelf' }],
    ['UDP://Graylog:12201', { protocol: 'udp' }],
  ])('parses %s', (url, expected) => {
    expect(parseEndpoint(url)).toMatchObject(expected);
  });

  it.each([
    ['foo://x', 'expected udp://, tcp://, tls://, http:// or https://'],
    ['graylog:12201', 'expected udp://, tcp://, tls://, http:// or https://'],
    ['udp://', 'no host'],
    ['udp://h:0', 'port must be 1–65535'],
    ['udp://h:70000', 'port must be 1–65535'],
    ['udp://h:65536', 'port must be 1–65535'],
    ['http://h:99999/gelf', 'port must be 1–65535'],
    ['udp://[::1]:70000', 'port must be 1–65535'],
    ['udp://h:', 'port must be 1–65535'],
    ['udp://h:12201/gelf', 'has no path'],
    ['udp://user:pw@h', 'credentials'],
    ['http://h/gelf?x=1', 'no query'],
    ['', 'not a valid URL'],
  ])('refuses %j naming the value', (url, why) => {
    expect(() => parseEndpoint(url)).toThrow(`invalid endpoint ${JSON.stringify(url)}`);
    expect(() => parseEndpoint(url)).toThrow(why);
  });
});

describe('resolveGelfConfig', () => {
  it('defaults to udp://127.0.0.1:12201, native transport, auto compression, 1420-byte chunks', () => {
    const c = resolve();
    expect(c.endpoint).toMatchObject({ protocol: 'udp', host: '127.0.0.1', port: 12201 });
    expect(c).toMatchObject({
      host: undefined,
      transport: 'native',
      compression: 'auto',
      chunkSize: 1420,
      timeoutMillis: 10_000,
    });
  });

  it('reads the environment when options are not given', () => {
    const c = resolve(
      {},
      {
        [GELF_ENV.endpoint]: 'udp://graylog:5555',
        [GELF_ENV.host]: 'web-7',
        [GELF_ENV.compression]: 'GZIP',
        [GELF_ENV.chunkSize]: '8154',
        [GELF_ENV.timeoutMillis]: '2500',
      },
    );
    expect(c.endpoint).toMatchObject({ host: 'graylog', port: 5555 });
    expect(c).toMatchObject({
      host: 'web-7',
      chunkSize: 8154,
      timeoutMillis: 2500,
      compression: 'gzip',
    });
    expect(resolve({}, { [GELF_ENV.transport]: 'GELF-PRO' }).transport).toBe('gelf-pro');
  });

  it('lets options in code win over the environment', () => {
    const env = {
      [GELF_ENV.endpoint]: 'udp://from-env:1',
      [GELF_ENV.host]: 'env-host',
      [GELF_ENV.compression]: 'gzip',
      [GELF_ENV.chunkSize]: '8154',
    };
    const c = resolve(
      { endpoint: 'tcp://code:2', host: 'code-host', compression: 'none', chunkSize: 1000 },
      env,
    );
    expect(c.endpoint).toMatchObject({ protocol: 'tcp', host: 'code', port: 2 });
    expect(c).toMatchObject({ host: 'code-host', compression: 'none', chunkSize: 1000 });
  });

  it('treats empty environment variables as unset', () => {
    const c = resolve(
      {},
      { [GELF_ENV.endpoint]: '', [GELF_ENV.host]: '  ', [GELF_ENV.chunkSize]: '' },
    );
    expect(c.endpoint.url).toBe('udp://127.0.0.1:12201');
    expect(c.host).toBeUndefined();
  });

  it('gives a port too large for the URL parser the same message as port 0', () => {
    const message = (url: string) => {
      try {
        parseEndpoint(url);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`${url} was accepted`);
    };
    expect(message('udp://h:70000')).toBe(
      'invalid endpoint "udp://h:70000" (port must be 1–65535)',
    );
    expect(message('udp://h:0')).toBe('invalid endpoint "udp://h:0" (port must be 1–65535)');
    expect(parseEndpoint('udp://h:65535').port).toBe(65535);
  });

  it('throws ConfigurationError, so a caller can tell it from a bug', () => {
    expect(() => resolve({ endpoint: 'foo://x' })).toThrow(ConfigurationError);
    expect(() => resolve({ chunkSize: 1 })).toThrow(ConfigurationError);
  });

  it('uses no compression over TCP by default and refuses gzip there', () => {
    expect(resolve({ endpoint: 'tcp://h' }).compression).toBe('none');
    expect(() => resolve({ endpoint: 'tcp://h', compression: 'gzip' })).toThrow(
      'GraylogSummaryProcessor: compression "gzip" is not possible over tcp://',
    );
  });

  it.each([
    [
      { endpoint: 'foo://x' },
      {},
      'GraylogSummaryProcessor: invalid endpoint "foo://x" (expected udp://, tcp://, tls://, http:// or https://)',
    ],
    [{}, { [GELF_ENV.endpoint]: 'ftp://x' }, 'invalid OTEL_EXPORTER_GELF_ENDPOINT "ftp://x"'],
    [{ host: '' }, {}, 'invalid host "" (expected a string that is not blank'],
    [
      { compression: 'brotli' },
      {},
      'invalid compression "brotli" (expected none, gzip, zlib or auto)',
    ],
    [{}, { [GELF_ENV.compression]: 'lz4' }, 'invalid OTEL_EXPORTER_GELF_COMPRESSION "lz4"'],
    [{ chunkSize: 100 }, {}, 'invalid chunkSize 100 (expected an integer from 256 to 65507)'],
    [{}, { [GELF_ENV.chunkSize]: 'big' }, 'invalid OTEL_EXPORTER_GELF_CHUNK_SIZE "big"'],
    [{}, { [GELF_ENV.chunkSize]: '1420.5' }, 'invalid OTEL_EXPORTER_GELF_CHUNK_SIZE "1420.5"'],
    [{ timeoutMillis: -1 }, {}, 'invalid timeoutMillis -1'],
    [{}, { [GELF_ENV.timeoutMillis]: 'soon' }, 'invalid OTEL_EXPORTER_GELF_TIMEOUT "soon"'],
    [
      {},
      { [GELF_ENV.transport]: 'winston' },
      'invalid OTEL_EXPORTER_GELF_TRANSPORT "winston" (expected "native" or "gelf-pro")',
    ],
    [{ transport: 'gelf-pro', endpoint: 'http://h' }, {}, 'gelf-pro has no HTTP transport'],
    [{ transport: 'gelf-pro', compression: 'gzip' }, {}, 'cannot be set with gelf-pro'],
    [{ maxInFlight: 0 }, {}, 'invalid maxInFlight 0'],
    // values quoted so their type shows: a string in code is not a number
    [
      { chunkSize: '1420' },
      {},
      'GraylogSummaryProcessor: invalid chunkSize "1420" (expected an integer from 256 to 65507)',
    ],
    [{ timeoutMillis: '5000' }, {}, 'invalid timeoutMillis "5000" (expected a number'],
    [{ maxInFlight: '8' }, {}, 'invalid maxInFlight "8" (expected an integer'],
    [{ maxBufferBytes: null }, {}, 'invalid maxBufferBytes null (leave the option out'],
    [{ endpoint: { host: 'h' } }, {}, 'invalid endpoint {"host":"h"} (expected a URL string)'],
    [{ host: 42 }, {}, 'invalid host 42 (expected a string that is not blank'],
    [{ compression: 1 }, {}, 'invalid compression 1 (expected none, gzip, zlib or auto)'],
    [{ transport: {} }, {}, 'invalid transport {} (expected "native", "gelf-pro" or an object'],
    [
      { endpoint: `udp://${'h'.repeat(200)}:0` },
      {},
      `invalid endpoint "udp://${'h'.repeat(72)}… (port`,
    ],
    // tls is checked whatever the endpoint
    [{ tls: 'yes' }, {}, 'invalid tls "yes" (expected an object with ca, cert, key,'],
    [
      { tls: { rejectUnauthorized: 0 } },
      {},
      'invalid tls.rejectUnauthorized 0 (expected true or false)',
    ],
    [{ tls: { rejectUnauthorized: 'false' } }, {}, 'invalid tls.rejectUnauthorized "false"'],
    [
      { tls: { ca: [1] } },
      {},
      'invalid tls.ca [1] (expected PEM text, a Buffer or an array of them)',
    ],
    [{ tls: { servername: '' } }, {}, 'invalid tls.servername "" (expected a non-empty string)'],
    [
      { tls: { rejectUnauthorised: false } },
      {},
      'unknown option "tls.rejectUnauthorised" (did you mean "tls.rejectUnauthorized"?)',
    ],
    [{ maxBufferBytes: 1.5 }, {}, 'invalid maxBufferBytes 1.5'],
  ])('refuses %j %j with a clear error', (options, env, message) => {
    expect(() => resolve(options as object, env)).toThrow(message);
  });

  it('refuses an env that is not an object', () => {
    expect(() => resolveGelfConfig({}, 'prod' as never, OWNER)).toThrow(
      'GraylogSummaryProcessor: invalid env "prod" (expected an object of environment variables)',
    );
  });

  it('accepts valid tls options', () => {
    const { cert, key } = pem;
    const tls = { ca: [cert, Buffer.from(cert)], cert, key, rejectUnauthorized: false };
    expect(resolve({ endpoint: 'tls://h', tls: { ...tls, servername: 's' } }).tls).toEqual({
      ...tls,
      servername: 's',
    });
  });

  it('notes a tls option given for an endpoint that does not use it', () => {
    const note = (endpoint: string, tls?: object) =>
      ignoredTlsNote({ tls }, parseEndpoint(endpoint));
    expect(note('udp://h', { ca: 'x' })).toBe(
      'option tls is ignored for "udp://h" (only tls:// and https:// endpoints use it)',
    );
    expect(note('http://h', {})).toContain('ignored');
    expect(note('tcp://h', {})).toContain('ignored');
    expect(note('tls://h', {})).toBeUndefined();
    expect(note('https://h', {})).toBeUndefined();
    expect(note('udp://h')).toBeUndefined();
  });

  it('reads the CA from OTEL_EXPORTER_GELF_CERTIFICATE for tls:// and https://', () => {
    const read = (path: string) => Buffer.from(`# CA from ${path}\n${pem.cert}`);
    const c = resolve({ endpoint: 'tls://h' }, { [GELF_ENV.certificate]: '/etc/ca.pem' }, read);
    expect(c.tls?.ca?.toString()).toContain('# CA from /etc/ca.pem');
    // a CA given in code wins; UDP needs none
    expect(
      resolve(
        { endpoint: 'https://h', tls: { ca: pem.cert } },
        { [GELF_ENV.certificate]: '/x' },
        read,
      ).tls?.ca,
    ).toBe(pem.cert);
    expect(
      resolve({ endpoint: 'udp://h' }, { [GELF_ENV.certificate]: '/x' }, read).tls,
    ).toBeUndefined();
  });

  it('names an unreadable CA file', () => {
    expect(() =>
      resolve({ endpoint: 'tls://h' }, { [GELF_ENV.certificate]: '/nonexistent/ca.pem' }),
    ).toThrow('cannot read OTEL_EXPORTER_GELF_CERTIFICATE file "/nonexistent/ca.pem": ENOENT');
  });
});

describe('resolveGelfConfig: one rule per kind of value', () => {
  it.each([
    'endpoint',
    'host',
    'transport',
    'compression',
    'chunkSize',
    'timeoutMillis',
    'tls',
    'maxInFlight',
    'maxBufferBytes',
    'compact',
    'operationFields',
    'maxFieldOperations',
    'env',
  ])('refuses null for %s, as for every option', (key) => {
    expect(() => resolve({ [key]: null })).toThrow(
      `GraylogSummaryProcessor: invalid ${key} null (leave the option out, or undefined, for its default)`,
    );
  });

  it.each(['0x400', '1e3', '0b10000000000', '1024.0', ' 1024 kB', '+1024', '-1', 'Infinity'])(
    'takes sizes and timeouts from the environment as decimal integers only (refuses %j)',
    (text) => {
      for (const name of [
        GELF_ENV.chunkSize,
        GELF_ENV.timeoutMillis,
        GELF_ENV.maxFieldOperations,
      ]) {
        expect(() => resolve({}, { [name]: text }), name).toThrow(`invalid ${name} `);
      }
    },
  );

  it('reads decimal sizes and timeouts from the environment', () => {
    const c = resolve(
      {},
      {
        [GELF_ENV.chunkSize]: '1024',
        [GELF_ENV.timeoutMillis]: ' 2500 ',
        [GELF_ENV.maxFieldOperations]: '10',
      },
    );
    expect(c).toMatchObject({
      chunkSize: 1024,
      timeoutMillis: 2500,
      fields: { maxFieldOperations: 10 },
    });
  });

  it.each([['\x1c'], ['\x1f\x1e'], [' \t\n'], ['\u2028\u3000']])(
    'refuses a host Graylog treats as blank (%j), naming it',
    (host) => {
      expect(() => resolve({ host })).toThrow(
        `invalid host ${JSON.stringify(host)} (expected a string that is not blank`,
      );
    },
  );

  it('refuses a blank host from the environment too (white space alone means unset there)', () => {
    expect(() => resolve({}, { [GELF_ENV.host]: '\x1f\x1e' })).toThrow(
      'invalid OTEL_EXPORTER_GELF_HOST "\\u001f\\u001e" (expected a string that is not blank',
    );
    expect(resolve({}, { [GELF_ENV.host]: ' \t' }).host).toBeUndefined();
  });

  it('refuses a host of no-break spaces too (JavaScript readers take it as blank), not one with them', () => {
    expect(() => resolve({ host: '\u00a0\ufeff' })).toThrow('invalid host');
    // checked as sent: trimmed, this one is "\x1f"
    expect(() => resolve({ host: '\x1f\u00a0' })).toThrow('invalid host');
    expect(resolve({ host: 'web\u00a01' }).host).toBe('web\u00a01');
  });

  it('refuses a CA, certificate or key that is not PEM, at construction', () => {
    const notPem = 'MIIB...not a certificate';
    expect(() => resolve({ endpoint: 'tls://h', tls: { ca: notPem } })).toThrow(
      'invalid tls.ca "MIIB...not a certificate": is not PEM (expected -----BEGIN CERTIFICATE-----)',
    );
    expect(() => resolve({ tls: { ca: [pem.cert, Buffer.from('x')] } })).toThrow(
      'invalid tls.ca "x"',
    );
    expect(() => resolve({ tls: { cert: pem.key } })).toThrow('invalid tls.cert');
    const broken = pem.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(() => resolve({ tls: { cert: broken } })).toThrow('is no valid PEM certificate');
    // a key's text is never shown
    const err = (() => {
      try {
        resolve({ tls: { key: 'secret-key-material' } });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toContain('invalid tls.key (19 bytes, not shown): is not PEM');
    expect(err).not.toContain('secret');
    expect(() => resolve({ tls: { key: pem.cert } })).toThrow('invalid tls.key');
    const read = () => Buffer.from('just text');
    expect(() =>
      resolve({ endpoint: 'tls://h' }, { [GELF_ENV.certificate]: '/etc/ca.txt' }, read),
    ).toThrow('OTEL_EXPORTER_GELF_CERTIFICATE file "/etc/ca.txt" is not PEM');
  });

  it('reads the field options from code or the environment and checks them', () => {
    expect(resolve({}, { [GELF_ENV.compact]: 'TRUE' }).fields).toEqual({ compact: true });
    expect(
      resolve({}, { [GELF_ENV.operationFields]: 'count, mean_ms' }).fields.operationFields,
    ).toEqual(['count', 'mean_ms']);
    expect(() => resolve({}, { [GELF_ENV.compact]: 'yes' })).toThrow(
      'invalid OTEL_EXPORTER_GELF_COMPACT "yes" (expected true or false)',
    );
    expect(() => resolve({}, { [GELF_ENV.operationFields]: 'count,p99' })).toThrow(
      'invalid OTEL_EXPORTER_GELF_OPERATION_FIELDS ["count","p99"]',
    );
    expect(() => resolve({ maxFieldOperations: 5000 })).toThrow('invalid maxFieldOperations 5000');
    expect(resolve({ compact: false }, { [GELF_ENV.compact]: 'true' }).fields.compact).toBe(false);
  });
});
