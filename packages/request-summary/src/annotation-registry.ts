import { diag } from '@opentelemetry/api';

/**
 * What a processor offers to `annotateRequest` / `countInRequest`: version 1 of the process-wide
 * interface. Kept to two methods taking plain values, because a copy of this package loaded
 * twice (its ESM and its CJS build, or two versions) calls the processors of the other copy
 * through it. A later version may add members, never change these. Neither method throws.
 */
export interface AnnotationTarget {
  /** Adds `attributes` to the request that `span` (the active span) belongs to, if any. */
  annotate(span: object, attributes: object): void;
  /** Adds `by` to the counter `key` of the request that `span` belongs to, if any. */
  count(span: object, key: string, by: number): void;
}

/** The object in the process-wide slot. */
export interface AnnotationRegistry {
  /** Interface version; 1 here. */
  readonly version: number;
  /**
   * The processors that track requests right now. Replaced, never mutated, on each change, so
   * that a call reading it meets a stable array.
   */
  targets: readonly AnnotationTarget[];
}

/** The process-wide slot, shared by every copy of the package through `Symbol.for`. */
export const REGISTRY_SLOT: unique symbol = Symbol.for('@otel-gelf/request-summary') as never;

function isRegistry(value: unknown): value is AnnotationRegistry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnnotationRegistry).version === 'number' &&
    (value as AnnotationRegistry).version >= 1 &&
    Array.isArray((value as AnnotationRegistry).targets)
  );
}

function openRegistry(): AnnotationRegistry {
  const holder = globalThis as { [REGISTRY_SLOT]?: unknown };
  const existing = holder[REGISTRY_SLOT];
  if (isRegistry(existing)) return existing;
  const created: AnnotationRegistry = { version: 1, targets: [] };
  if (existing !== undefined) {
    // Something else sits in the slot: annotations then reach this copy's processors only.
    diag.warn(
      '@otel-gelf/request-summary: the process-wide annotation slot holds something unknown; annotateRequest reaches only the processors of this copy of the package',
    );
    return created;
  }
  Object.defineProperty(holder, REGISTRY_SLOT, {
    value: created,
    writable: false,
    enumerable: false,
    configurable: false,
  });
  return created;
}

/** This process's registry: the slot's object, created by the first copy of the package loaded. */
export const registry: AnnotationRegistry = openRegistry();

/** Makes `target` reachable from `annotateRequest` (once, however often called). */
export function addTarget(target: AnnotationTarget): void {
  if (!registry.targets.includes(target)) registry.targets = [...registry.targets, target];
}

/** The reverse of {@link addTarget}. */
export function removeTarget(target: AnnotationTarget): void {
  if (registry.targets.includes(target)) {
    registry.targets = registry.targets.filter((t) => t !== target);
  }
}
