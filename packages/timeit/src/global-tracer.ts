import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { TRACER_NAME, TRACER_VERSION } from './version.js';

/** The api's `ProxyTracerProvider`, as far as we use it (api >= 1.0 has both methods). */
interface DelegatingProvider extends TracerProvider {
  getDelegate?(): TracerProvider;
  getDelegateTracer?(name: string, version?: string): Tracer | undefined;
}

// One cache for the whole process: the global provider is process-wide, and every wrapper uses
// the same tracer name. It is keyed by the identity of the global provider AND of its delegate:
// the api keeps the same ProxyTracerProvider object before and after `setGlobalTracerProvider`
// (only its delegate changes), and `trace.disable()` swaps the proxy itself.
let lastProvider: TracerProvider | undefined;
let lastDelegate: TracerProvider | undefined;
let lastTracer: Tracer | undefined;

/**
 * The tracer to use now, or `undefined` when no tracer provider is registered (then spans would
 * be no-ops and the caller skips them). Costs two property reads and two comparisons when
 * nothing changed since the previous call.
 */
export function currentTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider() as DelegatingProvider;
  const delegate = provider.getDelegate === undefined ? provider : provider.getDelegate();
  if (provider === lastProvider && delegate === lastDelegate) return lastTracer;
  return refresh(provider, delegate);
}

function refresh(provider: DelegatingProvider, delegate: TracerProvider): Tracer | undefined {
  // `getDelegateTracer` answers `undefined` exactly when no provider was registered; asking it
  // avoids starting a probe span (which a real SDK would export).
  const tracer =
    provider.getDelegateTracer === undefined
      ? provider.getTracer(TRACER_NAME, TRACER_VERSION)
      : provider.getDelegateTracer(TRACER_NAME, TRACER_VERSION);
  lastProvider = provider;
  lastDelegate = delegate;
  lastTracer = tracer;
  return tracer;
}
