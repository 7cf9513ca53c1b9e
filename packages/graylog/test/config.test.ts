import { describe, expect, it } from 'vitest';
import { GELF_ENV, resolveGelfConfig } from '../src/config.js';
import { parseEndpoint } from '../src/endpoint.js';

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
    ['udp://h:99999', 'not a valid URL'],
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
    [{ host: '' }, {}, 'invalid host "" (expected a non-empty string)'],
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
    [{ maxBufferBytes: 1.5 }, {}, 'invalid maxBufferBytes 1.5'],
  ])('refuses %j %j with a clear error', (options, env, message) => {
    expect(() => resolve(options as object, env)).toThrow(message);
  });

  it('reads the CA from OTEL_EXPORTER_GELF_CERTIFICATE for tls:// and https://', () => {
    const read = (path: string) => Buffer.from(`CA from ${path}`);
    const c = resolve({ endpoint: 'tls://h' }, { [GELF_ENV.certificate]: '/etc/ca.pem' }, read);
    expect(c.tls?.ca?.toString()).toBe('CA from /etc/ca.pem');
    // a CA given in code wins; UDP needs none
    expect(
      resolve(
        { endpoint: 'https://h', tls: { ca: 'mine' } },
        { [GELF_ENV.certificate]: '/x' },
        read,
      ).tls?.ca,
    ).toBe('mine');
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
