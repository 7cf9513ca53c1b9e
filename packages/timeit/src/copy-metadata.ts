import { diag } from '@opentelemetry/api';

/** The part of the `reflect-metadata` API this package uses, when the application loaded it. */
interface MetadataReflect {
  getOwnMetadataKeys(target: object): unknown[];
  getOwnMetadata(key: unknown, target: object): unknown;
  defineMetadata(key: unknown, value: unknown, target: object): void;
}

function metadataApi(): MetadataReflect | undefined {
  const reflect = Reflect as Partial<MetadataReflect>;
  return typeof reflect.getOwnMetadataKeys === 'function' &&
    typeof reflect.getOwnMetadata === 'function' &&
    typeof reflect.defineMetadata === 'function'
    ? (reflect as MetadataReflect)
    : undefined;
}

/**
 * Gives `wrapper` every metadata entry that decorators applied before `@timed()` stored on
 * `method` (NestJS keeps routes, guards and pipes there, `design:*` keys too when a decorator
 * put them on the function), so replacing the method loses none of them. Entries stored on the
 * class under the method's name stay where they are and need no copy.
 *
 * Uses `reflect-metadata` only when the application has loaded it; this package does not
 * depend on it.
 */
export function copyMetadata(method: Function, wrapper: Function): void {
  const reflect = metadataApi();
  if (reflect === undefined) return;
  try {
    for (const key of reflect.getOwnMetadataKeys(method)) {
      reflect.defineMetadata(key, reflect.getOwnMetadata(key, method), wrapper);
    }
  } catch (error) {
    diag.warn(
      '@otel-gelf/timeit: copying the method’s metadata to @timed()’s wrapper failed',
      error,
    );
  }
}
