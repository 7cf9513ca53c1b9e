import { defineConfig } from 'tsup';

// Entries and formats come from the package's build script; this adds what the CLI does not say:
// shims, so `import.meta.url` (used by the register entry to load its optional peers) works in the
// CommonJS build too; and the package itself as external, so `register` requires the main entry
// instead of bundling a second copy of its classes.
export default defineConfig({
  shims: true,
  external: ['@otel-gelf/graylog'],
});
