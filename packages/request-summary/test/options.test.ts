import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findOptionProblems,
  InMemorySummaryExporter,
  RequestSummaryProcessor,
  type RequestSummaryProcessorOptions,
} from '../src/index.js';
import { type ResolvedOptions, resolveOptions } from '../src/options.js';
import { spyOnDiag } from './helpers.js';

const logger = spyOnDiag();

type Options = Partial<RequestSummaryProcessorOptions>;
/** Options as a JavaScript caller (or a config file) may pass them. */
const loose = (o: Record<string, unknown>) => o as Options;

/** Every option but `exporter`. */
const OPTION_NAMES = [
  'samples',
  'operationKey',
  'selfTime',
  'isRequestRoot',
  'attributeAllowlist',
  'resourceAttributeAllowlist',
  'waitForOpenChildren',
  'maxOpenRequests',
  'maxOperations',
  'requestTimeoutMs',
  'maxQueueSize',
  'exportBatchSize',
  'scheduledDelayMillis',
  'exportTimeoutMillis',
  'minDurationMs',
  'errorsOnly',
  'sampleRatio',
  'filter',
  'maxAnnotations',
  'maxAnnotationLength',
  'copyAnnotationsToRootSpan',
] as const satisfies readonly (keyof ResolvedOptions)[];

describe('findOptionProblems', () => {
  it('finds nothing wrong with no options, or with undefined ones', () => {
    expect(findOptionProblems({})).toEqual([]);
    expect(findOptionProblems(Object.fromEntries(OPTION_NAMES.map((n) => [n, undefined])))).toEqual(
      [],
    );
  });

  it('does not check exporter', () => {
    expect(findOptionProblems(loose({ exporter: 5 }))).toEqual([]);
  });

  // One row per option: valid values, then invalid ones with the exact problem.
  const table: [string, unknown[], [unknown, string][]][] = [
    [
      'samples',
      [0, 5, 1000],
      [
        [-1, 'samples: -1 is not an integer from 0 to 1000'],
        [1001, 'samples: 1001 is not an integer from 0 to 1000'],
        [1.5, 'samples: 1.5 is not an integer from 0 to 1000'],
        ['5', 'samples: "5" is not a number'],
        [null, 'samples: null is not a number'],
      ],
    ],
    [
      'operationKey',
      [(s: { name: string }) => s.name],
      [
        ['name', 'operationKey: "name" is not a function'],
        [{}, 'operationKey: {} is not a function'],
      ],
    ],
    ['selfTime', [true, false], [['off', 'selfTime: "off" is not a boolean']]],
    [
      'isRequestRoot',
      [() => true],
      [
        [true, 'isRequestRoot: true is not a function'],
        ['server', 'isRequestRoot: "server" is not a function'],
      ],
    ],
    [
      'attributeAllowlist',
      [[], ['http.route']],
      [
        ['http.route', 'attributeAllowlist: "http.route" is not an array of strings'],
        [['http.route', 1], 'attributeAllowlist: ["http.route",1] is not an array of strings'],
      ],
    ],
    [
      'resourceAttributeAllowlist',
      [['service.name']],
      [
        [
          { 'service.name': true },
          'resourceAttributeAllowlist: {"service.name":true} is not an array of strings',
        ],
      ],
    ],
    [
      'waitForOpenChildren',
      [true, false],
      [
        ['no', 'waitForOpenChildren: "no" is not a boolean'],
        [0, 'waitForOpenChildren: 0 is not a boolean'],
      ],
    ],
    [
      'maxOpenRequests',
      [1, 10_000_000],
      [[0, 'maxOpenRequests: 0 is not an integer from 1 to 10000000']],
    ],
    [
      'maxOperations',
      [1, 10_000],
      [[10_001, 'maxOperations: 10001 is not an integer from 1 to 10000']],
    ],
    [
      'requestTimeoutMs',
      [1, 2_147_483_647],
      [
        [Number.NaN, 'requestTimeoutMs: NaN is not a number'],
        [
          Number.POSITIVE_INFINITY,
          'requestTimeoutMs: Infinity is not an integer from 1 to 2147483647',
        ],
        [2 ** 31, 'requestTimeoutMs: 2147483648 is not an integer from 1 to 2147483647'],
      ],
    ],
    [
      'maxQueueSize',
      [1, 1_000_000],
      [
        ['x', 'maxQueueSize: "x" is not a number'],
        [10n, 'maxQueueSize: 10n is not a number'],
      ],
    ],
    [
      'exportBatchSize',
      [1, 512],
      [[0, 'exportBatchSize: 0 is not an integer from 1 to 2048 (maxQueueSize)']],
    ],
    [
      'scheduledDelayMillis',
      [0, 1000],
      [[-1, 'scheduledDelayMillis: -1 is not an integer from 0 to 2147483647']],
    ],
    [
      'exportTimeoutMillis',
      [1, 30_000],
      [[0, 'exportTimeoutMillis: 0 is not an integer from 1 to 2147483647']],
    ],
    [
      'minDurationMs',
      [0, 0.5, Number.POSITIVE_INFINITY],
      [
        [-5, 'minDurationMs: -5 is not a number >= 0'],
        ['100ms', 'minDurationMs: "100ms" is not a number'],
      ],
    ],
    ['errorsOnly', [true, false], [['true', 'errorsOnly: "true" is not a boolean']]],
    [
      'sampleRatio',
      [0, 0.25, 1],
      [
        [7, 'sampleRatio: 7 is not a number from 0 to 1'],
        [-0.1, 'sampleRatio: -0.1 is not a number from 0 to 1'],
      ],
    ],
    [
      'filter',
      [() => true],
      [
        [5, 'filter: 5 is not a function'],
        [Symbol('f'), 'filter: Symbol(f) is not a function'],
      ],
    ],
    [
      'maxAnnotations',
      [0, 32, 1000],
      [
        [1001, 'maxAnnotations: 1001 is not an integer from 0 to 1000'],
        [2.5, 'maxAnnotations: 2.5 is not an integer from 0 to 1000'],
      ],
    ],
    [
      'maxAnnotationLength',
      [1, 256, 32_766],
      [[0, 'maxAnnotationLength: 0 is not an integer from 1 to 32766']],
    ],
    [
      'copyAnnotationsToRootSpan',
      [true, false],
      [['yes', 'copyAnnotationsToRootSpan: "yes" is not a boolean']],
    ],
  ];

  it('has a row for every option', () => {
    expect(table.map(([name]) => name)).toEqual([...OPTION_NAMES]);
  });

  describe.each(table)('%s', (name, valid, invalid) => {
    it.each(valid.map((v) => [v]))('accepts %o', (value) => {
      expect(findOptionProblems(loose({ [name]: value }))).toEqual([]);
    });
    it.each(invalid)('reports %o', (value, message) => {
      expect(findOptionProblems(loose({ [name]: value }))).toEqual([message]);
    });
  });

  it('checks exportBatchSize against the maxQueueSize in use', () => {
    expect(findOptionProblems({ maxQueueSize: 10, exportBatchSize: 50 })).toEqual([
      'exportBatchSize: 50 is not an integer from 1 to 10 (maxQueueSize)',
    ]);
    expect(findOptionProblems({ maxQueueSize: 10, exportBatchSize: 10 })).toEqual([]);
  });

  it('reports one problem per invalid option, in the documented order', () => {
    expect(findOptionProblems(loose({ filter: 5, maxQueueSize: 'x', samples: -1 }))).toEqual([
      'samples: -1 is not an integer from 0 to 1000',
      'maxQueueSize: "x" is not a number',
      'filter: 5 is not a function',
    ]);
  });

  it('shows large and unprintable values briefly', () => {
    const [long] = findOptionProblems(loose({ filter: 'x'.repeat(500) }));
    expect(long).toMatch(/^filter: "x{78}… is not a function$/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findOptionProblems(loose({ filter: cyclic }))).toEqual([
      'filter: [object Object] is not a function',
    ]);
  });

  it('logs nothing', () => {
    for (const level of Object.values(logger)) level.mockClear();
    findOptionProblems(loose({ samples: -1, filter: 5 }));
    for (const level of Object.values(logger)) expect(level).not.toHaveBeenCalled();
  });
});

describe('findOptionProblems and clamping agree', () => {
  const value = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      0,
      1,
      0.5,
      -1,
      1000,
      1001,
      10_000,
      2 ** 31,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      'x',
      true,
      false,
      () => true,
    ),
    fc.integer({ min: -10, max: 20_000_000 }),
    fc.double(),
    fc.string({ maxLength: 4 }),
    fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }),
  );
  const options = fc.record(
    Object.fromEntries(OPTION_NAMES.map((name) => [name, value])) as Record<
      (typeof OPTION_NAMES)[number],
      typeof value
    >,
    { requiredKeys: [] },
  );

  const same = (a: unknown, b: unknown) =>
    a === b ||
    (Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => x === b[i]));

  it('covers every option the processor resolves', () => {
    const resolved = resolveOptions({ exporter: new InMemorySummaryExporter() });
    expect(Object.keys(resolved).sort()).toEqual(['exporter', ...OPTION_NAMES].sort());
  });

  it('reports an option exactly when clamping changes its value', () => {
    fc.assert(
      fc.property(options, (o) => {
        const problems = findOptionProblems(o as Options);
        const resolved = resolveOptions({
          ...(o as Options),
          exporter: new InMemorySummaryExporter(),
        });
        for (const name of OPTION_NAMES) {
          const given = (o as Record<string, unknown>)[name];
          const changed = given !== undefined && !same(given, resolved[name]);
          const reported = problems.filter((p) => p.startsWith(`${name}: `)).length;
          expect({ name, given, reported }).toEqual({ name, given, reported: changed ? 1 : 0 });
        }
        expect(problems).toHaveLength(
          OPTION_NAMES.filter((n) => problems.some((p) => p.startsWith(`${n}: `))).length,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('has the processor warn once per problem found, with its text', async () => {
    await fc.assert(
      fc.asyncProperty(options, async (o) => {
        logger.warn.mockClear();
        const problems = findOptionProblems(o as Options);
        const processor = new RequestSummaryProcessor({
          ...(o as Options),
          exporter: new InMemorySummaryExporter(),
        });
        await processor.shutdown();
        const warnings = logger.warn.mock.calls.map((c) => String(c[0]));
        expect(warnings).toHaveLength(problems.length);
        problems.forEach((p, i) => {
          expect(warnings[i]).toMatch(/^@otel-gelf\/request-summary: invalid option .+; using .+$/);
          expect(
            warnings[i]!.startsWith(`@otel-gelf/request-summary: invalid option ${p}; using `),
          ).toBe(true);
        });
      }),
      { numRuns: 100 },
    );
  });
});
