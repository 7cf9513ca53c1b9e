import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  type Alias,
  configDefaults,
  defineConfig,
  type TestProjectInlineConfiguration,
} from 'vitest/config';

const root = import.meta.dirname;

/**
 * Inside the repo, tests run on the sources: every `@otel-gelf/*` subpath points at the file its
 * exports map names under the `@otel-gelf/source` condition (the same condition tsc and tsx use).
 */
function workspaceSourceAliases(): Alias[] {
  const aliases: Alias[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries<Record<string, unknown> | string>(
      manifest.exports ?? {},
    )) {
      const source = typeof target === 'object' ? target['@otel-gelf/source'] : undefined;
      if (typeof source !== 'string') continue;
      const id = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      const escaped = id.replace(/[/.-]/g, (c: string) => `\\${c}`);
      aliases.push({
        find: new RegExp(`^${escaped}$`),
        replacement: resolve(root, 'packages', dir, source),
      });
    }
  }
  return aliases;
}

/**
 * One project per OpenTelemetry SDK line. Test files get SDK classes from
 * `@otel-gelf-internal/sdk`, and `@opentelemetry/api` is pinned to that line's copy so the
 * sources under test and the SDK share one api.
 */
function sdkProject(line: 2 | 3): TestProjectInlineConfiguration {
  const compat = resolve(root, 'compat', `sdk${line}`);
  const requireFromCompat = createRequire(join(compat, 'package.json'));
  return {
    resolve: {
      alias: [
        ...workspaceSourceAliases(),
        { find: /^@otel-gelf-internal\/sdk$/, replacement: join(compat, 'src', 'index.ts') },
        {
          find: /^@opentelemetry\/api$/,
          replacement: requireFromCompat.resolve('@opentelemetry/api'),
        },
      ],
    },
    test: {
      name: `sdk${line}`,
      include: [
        'packages/*/test/**/*.test.ts',
        'examples/*/test/**/*.test.ts',
        'bench/*/test/**/*.test.ts',
        // packed tarballs installed with npm in fresh projects (install-tests/README.md)
        'install-tests/**/*.once.test.ts',
      ],
      // Slow suites (child processes running many seconds) run once, with the Node 20 suite.
      exclude:
        line === 3 ? [...configDefaults.exclude, '**/*.once.test.ts'] : configDefaults.exclude,
      environment: 'node',
      testTimeout: 20_000,
      hookTimeout: 20_000,
      // The type tests are the same for both lines: run them once, with the Node 20 suite.
      typecheck: {
        enabled: line === 2,
        include: ['packages/*/test/**/*.test-d.ts'],
        tsconfig: './tsconfig.typetests.json',
      },
    },
  };
}

export default defineConfig({
  test: {
    projects: [sdkProject(2), sdkProject(3)],
    reporters: ['default', 'json'],
    outputFile: {
      json: process.env.OTEL_GELF_TEST_REPORT ?? '.cache/test-report/sdk2-node20.json',
    },
  },
});
