/** The sink a setup sends to. */
export type SinkKind = 'gelf-udp' | 'gelf-tcp' | 'otlp-http';

/** What one setup is. */
interface SetupInfo {
  /** For the table and the README. */
  description: string;
  /** The sink it sends to, if any. */
  sink?: SinkKind;
  /** What its sink counts: one summary per request, or one item per span. */
  unit?: 'request' | 'span';
  /** Takes the pipeline apart or checks the method: runs only when named in `--configs`. */
  extra?: true;
}

/**
 * The setups the benchmark can compare, each one service process, in the table's order; `otel`
 * is the baseline of the ratios. The extra ones take our pipeline apart (`id-map` and `floor`
 * the least this design pays, `summary` the processor alone, `gelf-map` with the GELF mapping
 * and no I/O), or check the method (`noop`: the SDK calling a processor that does nothing;
 * `otel-twin`: a second `otel`, the ratios' noise floor).
 */
export const SETUPS = {
  none: { description: 'no tracing (timeit over the OTel API, no SDK)' },
  otel: { description: 'OTel SDK + http/express instrumentation, no span processor' },
  'otel-twin': {
    description: 'otel again, a second process: how far two identical setups differ',
    extra: true,
  },
  noop: { description: '+ a span processor whose onStart and onEnd do nothing', extra: true },
  'id-map': {
    description:
      "+ a processor that only finds each span's request by its parent's id and counts it",
    extra: true,
  },
  floor: {
    description:
      "id-map + one fixed GELF message of the udp setup's size per request, sent as our exporter sends (UDP)",
    sink: 'gelf-udp',
    unit: 'request',
    extra: true,
  },
  summary: {
    description: '+ RequestSummaryProcessor, an exporter that drops the summaries',
    extra: true,
  },
  'summary-noself': {
    description: 'summary with selfTime: false (no self time, no breakdown)',
    extra: true,
  },
  'gelf-map': {
    description: '+ RequestSummaryProcessor, an exporter that maps to GELF bytes and drops them',
    extra: true,
  },
  udp: {
    description: '+ GraylogSummaryProcessor, GELF over UDP (defaults)',
    sink: 'gelf-udp',
    unit: 'request',
  },
  'udp-zlib': {
    description: '+ GraylogSummaryProcessor, GELF over UDP, every message zlib-compressed',
    sink: 'gelf-udp',
    unit: 'request',
  },
  tcp: {
    description: '+ GraylogSummaryProcessor, GELF over TCP (defaults)',
    sink: 'gelf-tcp',
    unit: 'request',
  },
  otlp: {
    description: '+ BatchSpanProcessor + OTLP/HTTP protobuf exporter',
    sink: 'otlp-http',
    unit: 'span',
  },
  'gelf-span': {
    description: '+ BatchSpanProcessor + one GELF message per span (UDP)',
    sink: 'gelf-udp',
    unit: 'span',
  },
} as const satisfies Record<string, SetupInfo>;

/** One tracing setup of the service. */
export type ConfigName = keyof typeof SETUPS;

/** What setup `config` is. */
export function setupInfo(config: ConfigName): SetupInfo {
  return SETUPS[config];
}

/** Every setup, in the table's order. */
export const CONFIGS = Object.keys(SETUPS) as ConfigName[];

/** The setups run without `--configs`. */
export const DEFAULT_CONFIGS: readonly ConfigName[] = CONFIGS.filter(
  (c) => setupInfo(c).extra !== true,
);

/**
 * The size of the `floor` setup's message: what `udp` sends per request in this service (1 728 B
 * at the sink, with the two chunks' 12-byte headers).
 */
export const FLOOR_MESSAGE_BYTES = 1704;

/** Whether a name is one of {@link CONFIGS}. */
export function isConfigName(name: string): name is ConfigName {
  return Object.hasOwn(SETUPS, name);
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
