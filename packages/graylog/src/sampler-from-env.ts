import { ConfigurationError } from '@otel-gelf/graylog';

/** An SDK sampler, opaque here: it is built from the SDK and handed back to it. */
export type SdkSampler = object;

/** The sampler classes of `@opentelemetry/sdk-trace` (2.12+ and 3.x export them all). */
export interface SamplerClasses {
  AlwaysOnSampler: new () => SdkSampler;
  AlwaysOffSampler: new () => SdkSampler;
  TraceIdRatioBasedSampler: new (ratio?: number) => SdkSampler;
  ParentBasedSampler: new (config: { root: SdkSampler }) => SdkSampler;
  createAlwaysRecordSampler(delegate: SdkSampler): SdkSampler;
}

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

function ratioFrom(env: Record<string, string | undefined>): number {
  const text = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (text === undefined || text === '') return 1;
  const ratio = Number(text);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new ConfigurationError(
      `invalid OTEL_TRACES_SAMPLER_ARG ${JSON.stringify(text)} (expected a ratio from 0 to 1)`,
    );
  }
  return ratio;
}

function boolFrom(env: Record<string, string | undefined>, name: string, fallback: boolean) {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigurationError(
    `invalid ${name} ${JSON.stringify(env[name])} (expected true or false)`,
  );
}

/**
 * The sampler `register` gives its provider: `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`
 * as the OpenTelemetry specification defines them (default `parentbased_always_on`), wrapped in
 * `createAlwaysRecordSampler` unless `OTEL_EXPORTER_GELF_ALWAYS_RECORD=false`: every span is then
 * recorded, so every request is summarised, while the sampler still decides which traces are
 * sampled (exported by a BatchSpanProcessor, `_trace_sampled: 1` in the message).
 *
 * @throws ConfigurationError for a sampler name or argument it does not know
 */
export function samplerFromEnv(
  env: Record<string, string | undefined>,
  sdk: SamplerClasses,
): SdkSampler {
  const name = (env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on').toLowerCase();
  let sampler: SdkSampler;
  switch (name) {
    case 'always_on':
      sampler = new sdk.AlwaysOnSampler();
      break;
    case 'always_off':
      sampler = new sdk.AlwaysOffSampler();
      break;
    case 'traceidratio':
      sampler = new sdk.TraceIdRatioBasedSampler(ratioFrom(env));
      break;
    case 'parentbased_always_on':
      sampler = new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
      break;
    case 'parentbased_always_off':
      sampler = new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
      break;
    case 'parentbased_traceidratio':
      sampler = new sdk.ParentBasedSampler({
        root: new sdk.TraceIdRatioBasedSampler(ratioFrom(env)),
      });
      break;
    default:
      throw new ConfigurationError(
        `unsupported OTEL_TRACES_SAMPLER ${JSON.stringify(env.OTEL_TRACES_SAMPLER)} (expected one of ${SAMPLERS.join(', ')})`,
      );
  }
  return boolFrom(env, 'OTEL_EXPORTER_GELF_ALWAYS_RECORD', true)
    ? sdk.createAlwaysRecordSampler(sampler)
    : sampler;
}
