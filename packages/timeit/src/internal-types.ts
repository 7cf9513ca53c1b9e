import type { SpanOptions, Tracer } from '@opentelemetry/api';
import type { FunctionKind } from './function-kind.js';

/** What one wrapper knows about itself: built once at wrap time, read on every call. */
export interface Timer {
  /** The span name. */
  name: string;
  /** Shared by every span of this wrapper: kind and attributes, copied once. */
  spanOptions: SpanOptions;
  /** A tracer given in the options; `undefined` means the global one, looked up per call. */
  tracer: Tracer | undefined;
  kind: FunctionKind;
  /**
   * Set while the name still depends on the first `this` seen (standard method decorators do
   * not know their class); cleared once the name is known.
   */
  resolveName: ((self: unknown) => void) | undefined;
  /** An instrumentation failure of this wrapper has already been reported. */
  reported: boolean;
}
