/**
 * The setups the benchmark can compare, each one service process. The order is the table's;
 * `otel` is the baseline of the ratios. `summary` and `gelf-map` take our pipeline apart (the
 * processor alone; the processor and the GELF mapping, no I/O), `noop` is the SDK calling a
 * processor that does nothing, and `otel-twin` a second `otel` (the ratios' noise floor); they
 * run only when asked for.
 */
export const CONFIGS = [
  'none',
  'otel',
  'otel-twin',
  'noop',
  'id-map',
  'floor',
  'summary',
  'summary-noself',
  'gelf-map',
  'udp',
  'udp-zlib',
  'tcp',
  'otlp',
  'gelf-span',
] as const;

/** One tracing setup of the service. */
export type ConfigName = (typeof CONFIGS)[number];

/** What each setup is, for the table and the README. */
export const DESCRIPTIONS: Record<ConfigName, string> = {
  none: 'no tracing (timeit over the OTel API, no SDK)',
  otel: 'OTel SDK + http/express instrumentation, no span processor',
  'otel-twin': 'otel again, a second process: how far two identical setups differ',
  noop: '+ a span processor whose onStart and onEnd do nothing',
  'id-map': "+ a processor that only finds each span's request by its parent's id and counts it",
  floor:
    "id-map + one fixed GELF message of the udp setup's size per request, sent as our exporter sends (UDP)",
  summary: '+ RequestSummaryProcessor, an exporter that drops the summaries',
  'summary-noself': 'summary with selfTime: false (no self time, no breakdown)',
  'gelf-map': '+ RequestSummaryProcessor, an exporter that maps to GELF bytes and drops them',
  udp: '+ GraylogSummaryProcessor, GELF over UDP (defaults)',
  'udp-zlib': '+ GraylogSummaryProcessor, GELF over UDP, every message zlib-compressed',
  tcp: '+ GraylogSummaryProcessor, GELF over TCP (defaults)',
  otlp: '+ BatchSpanProcessor + OTLP/HTTP protobuf exporter',
  'gelf-span': '+ BatchSpanProcessor + one GELF message per span (UDP)',
};

/**
 * The size of the `floor` setup's message: what `udp` sends per request in this service (1 728 B
 * at the sink, with the two chunks' 12-byte headers).
 */
export const FLOOR_MESSAGE_BYTES = 1704;

/** The sink a setup sends to, or none. */
export type SinkKind = 'gelf-udp' | 'gelf-tcp' | 'otlp-http';

/** Which sink each setup sends to. */
export const SINK_OF: Record<ConfigName, SinkKind | undefined> = {
  none: undefined,
  otel: undefined,
  'otel-twin': undefined,
  noop: undefined,
  'id-map': undefined,
  floor: 'gelf-udp',
  summary: undefined,
  'summary-noself': undefined,
  'gelf-map': undefined,
  udp: 'gelf-udp',
  'udp-zlib': 'gelf-udp',
  tcp: 'gelf-tcp',
  otlp: 'otlp-http',
  'gelf-span': 'gelf-udp',
};

/** What a setup's sink counts: one summary per request, or one item per span. */
export const UNIT_OF: Record<ConfigName, 'request' | 'span' | undefined> = {
  none: undefined,
  otel: undefined,
  'otel-twin': undefined,
  noop: undefined,
  'id-map': undefined,
  floor: 'request',
  summary: undefined,
  'summary-noself': undefined,
  'gelf-map': undefined,
  udp: 'request',
  'udp-zlib': 'request',
  tcp: 'request',
  otlp: 'span',
  'gelf-span': 'span',
};

/** The setups that take the pipeline apart or check the method: only with `--configs`. */
const EXTRA_CONFIGS: readonly ConfigName[] = [
  'otel-twin',
  'noop',
  'id-map',
  'floor',
  'summary',
  'summary-noself',
  'gelf-map',
];

/** The setups run without `--configs`. */
export const DEFAULT_CONFIGS: readonly ConfigName[] = CONFIGS.filter(
  (c) => !EXTRA_CONFIGS.includes(c),
);

/** Whether a name is one of {@link CONFIGS}. */
export function isConfigName(name: string): name is ConfigName {
  return (CONFIGS as readonly string[]).includes(name);
}

/**
 * A setup as the command line names it: one of {@link CONFIGS}, or with `@base` one of them run
 * from the `--baseline` revision's packages (see build.ts).
 */
export type SetupName = ConfigName | `${ConfigName}@base`;

const BASE = '@base';

/** The tracing setup a setup name runs. */
export function configOf(setup: SetupName): ConfigName {
  return (setup.endsWith(BASE) ? setup.slice(0, -BASE.length) : setup) as ConfigName;
}

/** Whether a setup runs the `--baseline` revision. */
export function isBaseline(setup: SetupName): boolean {
  return setup.endsWith(BASE);
}

/** Whether `name` names a setup (`@base` ones only with a baseline). */
export function isSetupName(name: string, withBaseline: boolean): name is SetupName {
  if (name.endsWith(BASE)) return withBaseline && isConfigName(name.slice(0, -BASE.length));
  return isConfigName(name);
}
