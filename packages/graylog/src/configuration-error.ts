/**
 * Thrown at construction when an option or an `OTEL_EXPORTER_GELF_*` variable is invalid (or an
 * option is unknown); the message names the bad value and where it came from. Nothing else this
 * package does throws one, so `err instanceof ConfigurationError` tells a configuration mistake
 * from a bug.
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}
