/*
 * Compiles the service (service.ts, the app, the Flask example's functions and the otel-gelf
 * packages it uses) into one CommonJS file with esbuild, as tsup builds the packages' dist: the
 * services then run compiled JavaScript with plain `node`, as a user's service does.
 *
 * Run through tsx instead, every module of the packages would be a separate esbuild CommonJS
 * wrapper whose exports are getters (a property read per cross-module call, `get …:573` in a CPU
 * profile), and every service would carry tsx's loader thread: costs a user never pays, charged
 * only to the setups that run our code. OpenTelemetry, express and node_modules stay external,
 * required at run time, so the instrumentations' require hooks patch them as in any service.
 */
import { join } from 'node:path';
import { build } from 'tsup';

/** Where the compiled service goes. */
export const SERVICE_BUNDLE = 'dist/service.cjs';

/** Bundles src/service.ts into {@link SERVICE_BUNDLE} under `benchDir`. */
export async function buildService(benchDir: string): Promise<string> {
  await build({
    entry: { service: join(benchDir, 'src/service.ts') },
    outDir: join(benchDir, 'dist'),
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    // The otel-gelf packages from their TypeScript source (the condition their exports map to
    // src/), compiled here the way tsup compiles them for dist; the example's functions too.
    noExternal: [/^@otel-gelf\//, /^express-api\//],
    esbuildOptions(options) {
      options.conditions = ['@otel-gelf/source'];
    },
    outExtension: () => ({ js: '.cjs' }),
    // As the packages' CommonJS builds: `import.meta.url` (optional peers) made to work.
    shims: true,
    sourcemap: true,
    splitting: false,
    clean: false,
    dts: false,
    silent: true,
    config: false,
  });
  return join(benchDir, SERVICE_BUNDLE);
}
