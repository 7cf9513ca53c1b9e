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
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'tsup';

/** Where the compiled service goes. */
export const SERVICE_BUNDLE = 'dist/service.cjs';

/** The otel-gelf packages a service is made of, as `--baseline` takes them from git. */
const PACKAGES = ['graylog', 'request-summary', 'timeit'];

/**
 * Bundles src/service.ts into {@link SERVICE_BUNDLE} under `benchDir`; with `baseline` (a git
 * revision), into `dist/service-base.cjs` with the otel-gelf packages' `src/` as they were at
 * that revision (taken with `git archive` into `.cache/baseline/`, ignored), the service's own
 * code as it is now: the `@base` setups run that, beside the same setups of the working tree.
 */
export async function buildService(benchDir: string, baseline?: string): Promise<string> {
  let alias: Record<string, string> | undefined;
  if (baseline !== undefined) {
    const dir = join(benchDir, '.cache', 'baseline');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync(
      'git',
      // safe.directory: a checkout owned by another user (CI runs as root) is still read.
      ['-c', 'safe.directory=*', 'archive', baseline, ...PACKAGES.map((p) => `packages/${p}/src`)],
      { cwd: join(benchDir, '..', '..'), maxBuffer: 64 * 2 ** 20 },
    );
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    alias = {};
    for (const p of PACKAGES)
      alias[`@otel-gelf/${p}`] = join(dir, 'packages', p, 'src', 'index.ts');
  }
  const name = baseline === undefined ? 'service' : 'service-base';
  await build({
    entry: { [name]: join(benchDir, 'src/service.ts') },
    outDir: join(benchDir, 'dist'),
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    // The otel-gelf packages from their TypeScript source (the condition their exports map to
    // src/), compiled here the way tsup compiles them for dist; the example's functions too.
    noExternal: [/^@otel-gelf\//, /^express-api\//],
    esbuildOptions(options) {
      options.conditions = ['@otel-gelf/source'];
      if (alias !== undefined) options.alias = alias;
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
  return join(benchDir, 'dist', `${name}.cjs`);
}
