import { defineConfig } from 'tsup';

// Entries and formats come from the package's build script; this adds what the CLI does not say:
// shims, so `import.meta.url` (used by the register entry to load its optional peers) works in the
// CommonJS build too.
export default defineConfig({
  shims: true,
});
